"""Occurrences written once per duty and date, what is due, overdue and done, and an
occurrence done: by its unit's staff or the secretariat (another unit's inspector is refused
and audited), once, with a note, on a day not after today."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import col, select

from bot.duties.records import Evidence, add_duty, bring_in, complete, overview
from kernel.errors import UserError
from storage.db import Database
from storage.models import DutyEvidence, DutyOccurrence, Role
from tests.bot.duties.shared import lift_check
from tests.factories import person

START = date(2027, 1, 1)


def monthly(db: Database, unit: str = "sec1") -> int:
    duty = db.call(lambda session: lift_check(session, unit=unit, alone=False))
    assert duty.id is not None
    return duty.id


def occurrence_on(db: Database, duty_id: int, due: date) -> int:
    found = db.call(
        lambda session: session.exec(
            select(DutyOccurrence.id).where(
                col(DutyOccurrence.duty_id) == duty_id, col(DutyOccurrence.due_on) == due
            )
        ).one()
    )
    assert found is not None
    return found


def test_occurrences_are_written_once_and_listed_by_state(db: Database) -> None:
    duty_id = monthly(db)
    first = db.call(bring_in, first=START, last=date(2027, 3, 31))
    assert first >= 3
    assert db.call(bring_in, first=START, last=date(2027, 3, 31)) == 0
    found = db.call(overview, today=date(2027, 2, 1))
    ours = [o.due_on for o, d, _ in found.due if d.id == duty_id]
    assert ours == [date(2027, 2, 3)]
    assert [o.due_on for o, d, _ in found.overdue if d.id == duty_id] == [date(2027, 1, 8)]
    january = occurrence_on(db, duty_id, date(2027, 1, 8))
    db.call(
        complete,
        occurrence_id=january,
        on=date(2027, 1, 29),
        note="已檢查",
        files=[Evidence(kind="photo", file_id="AgAD-1")],
        today=date(2027, 2, 1),
        by="王小明",
    )
    found = db.call(overview, today=date(2027, 2, 1))
    assert [o.id for o, d, _ in found.overdue if d.id == duty_id] == []
    assert [o.id for o, _, _ in found.done] == [january]
    assert db.call(
        lambda session: [e.file_id for e in session.exec(select(DutyEvidence)).all()]
    ) == ["AgAD-1"]


def test_only_the_units_staff_or_the_secretariat_complete_it_once(db: Database) -> None:
    duty_id = monthly(db)
    db.call(bring_in, first=START, last=date(2027, 1, 31))
    january = occurrence_on(db, duty_id, date(2027, 1, 8))
    other = person(db, 7301, Role.INSPECTOR, unit="sec2")
    own = person(db, 7302, Role.INSPECTOR, unit="sec1")
    kwargs = {"occurrence_id": january, "note": "ok", "files": [], "today": date(2027, 1, 8)}
    with pytest.raises(UserError) as refused:
        db.call(complete, on=date(2027, 1, 8), by="x", person=other, **kwargs)
    assert refused.value.key == "duties.not_yours"
    with pytest.raises(UserError) as late:
        db.call(complete, on=date(2027, 1, 9), by="x", person=own, **kwargs)
    assert late.value.key == "duties.bad_done_on"
    with pytest.raises(UserError) as empty:
        db.call(complete, on=date(2027, 1, 8), by="x", person=own, **{**kwargs, "note": " "})
    assert empty.value.key == "duties.bad_note"
    db.call(complete, on=date(2027, 1, 8), by="x", person=own, **kwargs)
    with pytest.raises(UserError) as twice:
        db.call(complete, on=date(2027, 1, 8), by="x", person=own, **kwargs)
    assert twice.value.key == "duties.already_done"


@pytest.mark.parametrize(
    ("every", "day", "month", "on", "key"),
    [
        ("weekly", 1, None, [], "duties.bad_every"),
        ("monthly", 32, None, [], "duties.bad_day"),
        ("monthly", 8, 3, [], "duties.bad_month"),
        ("yearly", 31, 13, [], "duties.bad_month"),
        ("dates", None, None, ["02-30"], "duties.bad_on"),
        ("monthly", 8, None, ["12-31"], "duties.on_alone"),
    ],
)
def test_a_bad_duty_is_refused(
    db: Database, every: str, day: int | None, month: int | None, on: list[str], key: str
) -> None:
    with pytest.raises(UserError) as refused:
        db.call(
            add_duty,
            title_zh="x",
            title_en="x",
            unit="sec1",
            every=every,
            day=day,
            month=month,
            on=on,
            starts_on=START,
            facility=True,
            by="t",
        )
    assert refused.value.key == key
