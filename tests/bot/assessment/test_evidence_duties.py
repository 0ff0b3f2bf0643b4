"""The panel's evidence from training and the facility duties (基礎服務): each unit's sessions,
hours and attendees equal those recorded, and the facility duties due, done on time and late
equal a count made here from the duty's own dates; both appear in the evidence CSV."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.assessment.evidence import build_evidence, write_evidence
from bot.assessment.evidence_duties import facilities_source, training_source
from bot.duties.records import bring_in, complete
from bot.duties.training import add_training
from kernel import workcalendar
from kernel.periods import Period
from storage.db import Database
from storage.models import Duty, DutyOccurrence
from tests.bot.duties.shared import lift_check

TODAY = date(2027, 7, 10)
H1 = Period(2027, half=1)
TZ = ZoneInfo("Asia/Taipei")
SESSIONS = [  # (day, unit, hours, attendees)
    (date(2027, 1, 20), "sec1", 2.0, 35),
    (date(2027, 3, 12), "sec1", 1.5, 20),
    (date(2027, 4, 9), "sec3", 3.0, 50),
    (date(2027, 7, 5), "sec1", 2.0, 10),  # the second half: not counted
]


def record(session: Session) -> None:
    for day, unit, hours, attendees in SESSIONS:
        add_training(
            session,
            held_on=day,
            unit=unit,
            title="CNS 新制說明",
            hours=hours,
            attendees=attendees,
            audience="staff",
            today=TODAY,
            by="test",
        )
    lift_check(session)
    lift_check(session, unit="sec2", facility=False, alone=False)
    bring_in(session, first=date(2027, 1, 1), last=date(2027, 2, 28))
    rows = session.exec(
        select(DutyOccurrence, Duty)
        .join(Duty)
        .where(col(Duty.facility).is_(True))
        .order_by(col(DutyOccurrence.due_on))
    ).all()
    january, february = rows[0][0], rows[1][0]
    for occurrence, on in ((january, january.due_on), (february, date(2027, 2, 11))):
        assert occurrence.id is not None
        complete(
            session,
            occurrence_id=occurrence.id,
            on=on,
            note="ok",
            files=[],
            today=TODAY,
            by="test",
        )


def test_training_and_facility_duties_per_unit_equal_their_own_counts(
    db: Database, tmp_path: Path
) -> None:
    db.call(record)
    evidence = db.call(
        build_evidence,
        period=H1,
        language="en",
        today=TODAY,
        pass_mark=80,
        tz=TZ,
        sources=[training_source, facilities_source],
    )
    training, facilities = evidence.sections
    expected: dict[str, list[float]] = {}
    for day, unit, hours, attendees in SESSIONS:
        if H1.first <= day <= H1.last:
            got = expected.setdefault(unit, [0, 0.0, 0])
            got[0], got[1], got[2] = got[0] + 1, got[1] + hours, got[2] + attendees
    assert training.per_unit["sec1"] == expected["sec1"] == [2, 3.5, 55]
    assert training.per_unit["sec3"] == expected["sec3"]
    assert training.per_unit["sec2"] == [0, 0.0, 0]
    # sec1's lift check: the 8th of each month, or the last working day before it
    dues = []
    for month in range(1, 7):
        day = date(2027, month, 8)
        while not workcalendar.is_working_day(day):
            day = date.fromordinal(day.toordinal() - 1)
        dues.append(day)
    assert dues[1] == date(2027, 2, 3)
    assert facilities.per_unit["sec1"] == [len(dues), 1, 1, 1 / len(dues)]
    assert facilities.per_unit["sec2"] == [0, 0, 0, None]  # not a facility duty
    assert facilities.dimension == training.dimension == "basic"
    (path,) = [p for p in write_evidence(evidence, tmp_path) if p.suffix == ".csv"]
    with path.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    first = [r for r in rows if len(r) == 4 and r[1] == "First Section"]
    values = {r[2]: r[3] for r in first}
    assert values["Training sessions"] == "2" and values["Attendees"] == "55"
    assert values["Due"] == "6" and values["Done on time"] == "1" and values["Done late"] == "1"
