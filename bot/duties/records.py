"""Recurring duties' use cases, the same for chat and the command line: add a duty, bring its
occurrences into the database, what is due, overdue and done, and an occurrence done with its
date, who, a note and evidence. Each change writes its audit row in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.duties.schedule import FIRST_MONTH, due_on, nominal_dates, parse_dates
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.models import Duty, DutyEvidence, Recurrence, Role
from storage.queries.audit import record_audit
from storage.queries.duties import (
    Listed,
    fetch_done_occurrences_since,
    fetch_duties,
    fetch_evidence,
    fetch_occurrence,
    fetch_occurrences,
    fetch_open_occurrences_before,
    save_duty,
    save_evidence,
    save_missing_occurrences,
)
from storage.queries.people import PersonView, fetch_unit_by_code

HORIZON = 30
"""Days ahead `/duties` and `duty list` show."""
LOOK_BACK = 400
"""Days back occurrences are brought in when a list is asked for."""
SHIFT = 20
"""Days a nominal date past the window may move back onto it (a long holiday)."""
NOTE_LIMIT = 2000
MAX_FILES = 10
COMPLETERS = frozenset({Role.SECRETARIAT, Role.ADMIN})
"""Who may complete any unit's duty; the owner unit's staff complete their own."""


@dataclass(frozen=True)
class Evidence:
    """A photo or file shown for an occurrence: a Telegram file id, or a path on disk."""

    kind: str
    file_id: str | None = None
    path: str | None = None
    file_name: str | None = None


@dataclass
class Overview:
    today: date
    due: list[Listed] = field(default_factory=list)
    overdue: list[Listed] = field(default_factory=list)
    done: list[Listed] = field(default_factory=list)


def add_duty(
    session: Session,
    *,
    title_zh: str,
    title_en: str,
    unit: str,
    every: str,
    day: int | None,
    month: int | None,
    on: list[str],
    starts_on: date,
    facility: bool,
    by: str,
) -> Duty:
    """A new duty, checked: titles, a unit that exists, a recurrence with its day (and month)
    or its fixed dates."""
    title_zh, title_en = title_zh.strip(), title_en.strip()
    if not title_zh or not title_en or len(title_zh) > 120 or len(title_en) > 200:
        raise UserError("duties.bad_title")
    found = fetch_unit_by_code(session=session, code=unit.strip())
    if found is None:
        raise UserError("duties.bad_unit", unit=unit)
    try:
        recurrence = Recurrence(every)
    except ValueError:
        raise UserError("duties.bad_every", value=every) from None
    dates = None
    if recurrence is Recurrence.DATES or on:
        if day is not None or month is not None or recurrence is not Recurrence.DATES:
            raise UserError("duties.on_alone")
        dates = parse_dates(on)
    else:
        if day is None or not 1 <= day <= 31:
            raise UserError("duties.bad_day", value=day if day is not None else "")
        if month is not None and (recurrence is Recurrence.MONTHLY or not 1 <= month <= 12):
            raise UserError("duties.bad_month", value=month)
        if recurrence is not Recurrence.MONTHLY:
            month = month or FIRST_MONTH[recurrence]
    assert found.id is not None
    duty = save_duty(
        session=session,
        duty=Duty(
            title_zh=title_zh,
            title_en=title_en,
            unit_id=found.id,
            every=recurrence.value,
            day=day if dates is None else None,
            month=month if dates is None else None,
            dates=dates,
            starts_on=starts_on,
            facility=facility,
        ),
    )
    record_audit(
        session=session,
        actor_telegram_id=None,
        action="duty.add",
        target=str(duty.id),
        detail=f"{by}: {title_zh}",
    )
    return duty


def bring_in(session: Session, *, first: date, last: date) -> int:
    """Write the occurrences of every active duty due from `first` to `last` that are not
    rows yet; returns how many were written."""
    written = 0
    for duty, _unit in fetch_duties(session=session):
        assert duty.id is not None
        wanted = [
            (nominal, due_on(nominal))
            for nominal in nominal_dates(duty, first, last + timedelta(days=SHIFT))
        ]
        written += save_missing_occurrences(
            session=session,
            duty_id=duty.id,
            dates=[(n, d) for n, d in wanted if first <= d <= last],
        )
    return written


def overview(session: Session, *, today: date, within: int = HORIZON) -> Overview:
    """Occurrences not done and due within `within` days, those overdue, and those done in
    the last `HORIZON` days; occurrences missing from the database are written first."""
    bring_in(
        session=session,
        first=today - timedelta(days=LOOK_BACK),
        last=today + timedelta(days=within),
    )
    due = [
        row
        for row in fetch_occurrences(
            session=session, first=today, last=today + timedelta(days=within)
        )
        if row[0].done_on is None
    ]
    return Overview(
        today=today,
        due=due,
        overdue=fetch_open_occurrences_before(session=session, day=today),
        done=fetch_done_occurrences_since(session=session, day=today - timedelta(days=HORIZON)),
    )


def may_complete(person: PersonView, unit_id: int) -> bool:
    """The secretariat and admins complete any duty; a unit's staff their unit's."""
    return bool(person.roles & COMPLETERS) or unit_id in person.unit_ids


def check_completable(
    session: Session, *, occurrence_id: int, person: PersonView | None
) -> Listed:
    """The occurrence, if it exists, is not done yet and the person may complete it."""
    found = fetch_occurrence(session=session, occurrence_id=occurrence_id)
    if found is None:
        raise UserError("duties.no_such", id=occurrence_id)
    occurrence, duty, _unit = found
    if occurrence.done_on is not None:
        raise UserError("duties.already_done", id=occurrence_id, on=occurrence.done_on)
    if person is not None and not may_complete(person, duty.unit_id):
        raise UserError("duties.not_yours", id=occurrence_id)
    return found


def record_refusal(session: Session, *, occurrence_id: int, telegram_id: int) -> None:
    """The audit row of a person refused an occurrence of another unit (written in a
    transaction of its own: the refused one rolls back)."""
    record_audit(
        session=session,
        actor_telegram_id=telegram_id,
        action="duty.done",
        target=str(occurrence_id),
        allowed=False,
    )


def complete(
    session: Session,
    *,
    occurrence_id: int,
    on: date,
    note: str,
    files: list[Evidence],
    today: date,
    by: str,
    person: PersonView | None = None,
    now: datetime | None = None,
) -> Listed:
    """Mark the occurrence done on `on` (not after today, within a year) by `by`, with the
    note and its evidence; audited as duty.done."""
    found = check_completable(session=session, occurrence_id=occurrence_id, person=person)
    occurrence, _duty, _unit = found
    note = note.strip()
    if not note or len(note) > NOTE_LIMIT:
        raise UserError("duties.bad_note", limit=NOTE_LIMIT)
    if on > today or on < today - timedelta(days=366):
        raise UserError("duties.bad_done_on", value=on)
    if len(files) > MAX_FILES:
        raise UserError("duties.too_many_files", limit=MAX_FILES)
    occurrence.done_on = on
    occurrence.done_by = by[:128]
    occurrence.done_by_person_id = person.id if person is not None else None
    occurrence.note = note
    occurrence.recorded_at = now or utcnow()
    session.add(occurrence)
    save_evidence(
        session=session,
        rows=[
            DutyEvidence(
                occurrence_id=occurrence_id,
                kind=f.kind,
                file_id=f.file_id,
                path=f.path,
                file_name=(f.file_name or "")[:256] or None,
            )
            for f in files
        ],
    )
    record_audit(
        session=session,
        actor_telegram_id=person.telegram_id if person is not None else None,
        action="duty.done",
        target=str(occurrence_id),
        detail=f"{by[:64]}: {on.isoformat()}, {len(files)} file(s)",
    )
    return found


def evidence_of(session: Session, *, occurrence_id: int) -> list[DutyEvidence]:
    return fetch_evidence(session=session, occurrence_id=occurrence_id)


@dataclass(frozen=True)
class Outcome:
    """An occurrence due in a period: its duty's unit, when due and when done (None: not)."""

    unit_code: str
    due_on: date
    done_on: date | None

    @property
    def on_time(self) -> bool:
        return self.done_on is not None and self.done_on <= self.due_on


def facility_outcomes(session: Session, *, first: date, last: date) -> list[Outcome]:
    """Every occurrence of a facility duty (一(二) 服務友善) due from `first` to `last`, from
    the schedule, done or not (an occurrence nobody listed yet is due and not done); reads
    only."""
    done = {
        (o.duty_id, o.nominal_on): o.done_on
        for o, _, _ in fetch_occurrences(
            session=session, first=first, last=last, active_only=False
        )
    }
    found = []
    for duty, unit in fetch_duties(session=session, active_only=False):
        if not duty.facility or duty.id is None:
            continue
        for nominal in nominal_dates(duty, first, last + timedelta(days=SHIFT)):
            due = due_on(nominal)
            if first <= due <= last:
                found.append(Outcome(unit.code, due, done.get((duty.id, nominal))))
    return found
