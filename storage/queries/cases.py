"""Cases: numbering, storing and reading (the monthly summary's aggregations are in
`case_summary.py`)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, delete, func, insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    Case,
    CaseAttachment,
    CaseCounter,
    CaseEvent,
    CaseReminder,
    CaseReporter,
    Category,
    Person,
    Role,
    RoleGrant,
    Unit,
)
from storage.models.cases import FINAL_STATES, CaseKind, CaseState

OPEN_STATES = tuple(s.value for s in CaseState if s not in FINAL_STATES)
RUNNING_STATES = (
    CaseState.RECEIVED.value,
    CaseState.ASSIGNED.value,
    CaseState.INVESTIGATING.value,
)
"""Open states in which the clock runs and the case can be overdue."""


def take_case_number(*, session: Session, kind: CaseKind, year: int) -> int:
    """The next sequence number for `kind` in `year`, unique under concurrent filing.

    The counter row is incremented in the caller's transaction: the UPDATE locks the row on
    PostgreSQL and SQLite's BEGIN IMMEDIATE serialises writers, so two filings never share a
    number. The first filing of a year inserts the row inside a savepoint; a concurrent first
    filing that loses that race retries the UPDATE.
    """
    for _ in range(3):
        seq = session.execute(
            update(CaseCounter)
            .where(col(CaseCounter.kind) == kind.value, col(CaseCounter.year) == year)
            .values(last_seq=col(CaseCounter.last_seq) + 1)
            .returning(col(CaseCounter.last_seq))
        ).scalar_one_or_none()
        if seq is not None:
            return int(seq)
        try:
            with session.begin_nested():
                session.execute(insert(CaseCounter).values(kind=kind.value, year=year, last_seq=1))
            return 1
        except IntegrityError:
            continue
    raise RuntimeError("could not take a case number")


def set_case_counter(*, session: Session, kind: CaseKind, year: int, last_seq: int) -> None:
    """Raise the counter to at least `last_seq` (bulk seeding and imports)."""
    updated = session.execute(
        update(CaseCounter)
        .where(
            col(CaseCounter.kind) == kind.value,
            col(CaseCounter.year) == year,
            col(CaseCounter.last_seq) < last_seq,
        )
        .values(last_seq=last_seq)
    )
    if (
        not getattr(updated, "rowcount", 0)
        and session.get(CaseCounter, (kind.value, year)) is None
    ):
        session.add(CaseCounter(kind=kind.value, year=year, last_seq=last_seq))
        session.flush()


def save_case(
    *,
    session: Session,
    case_row: Case,
    reporter: CaseReporter | None,
    attachments: list[CaseAttachment],
    event: CaseEvent,
) -> Case:
    """Insert a new case with its reporter, files and first event."""
    session.add(case_row)
    session.flush()
    assert case_row.id is not None
    if reporter is not None:
        reporter.case_id = case_row.id
        session.add(reporter)
    for attachment in attachments:
        attachment.case_id = case_row.id
        session.add(attachment)
    event.case_id = case_row.id
    session.add(event)
    session.flush()
    return case_row


def fetch_case_by_number(*, session: Session, number: str, lock: bool = False) -> Case | None:
    """The case with this number (case-insensitive), optionally locked for update."""
    query = select(Case).where(Case.number == number.strip().upper())
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def fetch_case_reporter(*, session: Session, case_id: int) -> tuple[CaseReporter, Person | None]:
    """The reporter row and their person (None once forgotten or when filed off-line)."""
    row = session.exec(
        select(CaseReporter, Person)
        .outerjoin(Person, col(Person.id) == CaseReporter.person_id)
        .where(CaseReporter.case_id == case_id)
    ).first()
    if row is None:
        return CaseReporter(case_id=case_id), None
    return row[0], row[1]


def fetch_case_events(*, session: Session, case_id: int) -> list[CaseEvent]:
    return list(
        session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.id))
        ).all()
    )


def fetch_case_attachments(*, session: Session, case_id: int) -> list[CaseAttachment]:
    return list(
        session.exec(
            select(CaseAttachment)
            .where(CaseAttachment.case_id == case_id)
            .order_by(col(CaseAttachment.id))
        ).all()
    )


def add_case_event(
    *,
    session: Session,
    case_id: int,
    at: datetime,
    actor_id: int | None,
    action: str,
    from_state: str | None,
    to_state: str,
    note: str | None = None,
) -> None:
    session.add(
        CaseEvent(
            case_id=case_id,
            at=at,
            actor_id=actor_id,
            action=action,
            from_state=from_state,
            to_state=to_state,
            note=note,
        )
    )


def fetch_cases_of_reporter(*, session: Session, person_id: int, limit: int = 20) -> list[Case]:
    """A reporter's own cases, newest first."""
    return list(
        session.exec(
            select(Case)
            .join(CaseReporter, col(CaseReporter.case_id) == Case.id)
            .where(CaseReporter.person_id == person_id)
            .order_by(col(Case.received_at).desc(), col(Case.id).desc())
            .limit(limit)
        ).all()
    )


def fetch_case_list(
    *,
    session: Session,
    which: str,
    today: date,
    unit_ids: frozenset[int] | None,
    offset: int = 0,
    limit: int = 10,
) -> tuple[list[Case], int]:
    """Open, overdue or unassigned cases (limited to `unit_ids` unless None), and the total."""
    conditions: list[ColumnElement[bool]] = [col(Case.state).in_(OPEN_STATES)]
    if which == "overdue":
        conditions = [col(Case.state).in_(RUNNING_STATES), col(Case.due_on) < today]
    elif which == "new":
        conditions = [col(Case.state) == CaseState.RECEIVED.value]
    if unit_ids is not None:
        conditions.append(col(Case.unit_id).in_(unit_ids))
    total = session.exec(select(func.count()).select_from(Case).where(*conditions)).one()
    rows = session.exec(
        select(Case)
        .where(*conditions)
        .order_by(col(Case.due_on), col(Case.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), int(total)


def fetch_overdue_cases(*, session: Session, today: date) -> list[tuple[Case, Unit | None]]:
    """Cases whose clock runs and whose deadline has passed, oldest deadline first."""
    return [
        (c, u)
        for c, u in session.exec(
            select(Case, Unit)
            .outerjoin(Unit, col(Unit.id) == Case.unit_id)
            .where(col(Case.state).in_(RUNNING_STATES), col(Case.due_on) < today)
            .order_by(col(Case.due_on), col(Case.id))
        ).all()
    ]


def fetch_running_cases(*, session: Session) -> list[Case]:
    """Assigned cases whose clock runs (the open caseload: a few dozen at a time)."""
    return list(
        session.exec(
            select(Case)
            .where(col(Case.state).in_(RUNNING_STATES), col(Case.unit_id).is_not(None))
            .order_by(col(Case.id))
        ).all()
    )


def fetch_unit_inspectors(*, session: Session, unit_id: int) -> list[Person]:
    """People holding an active inspector grant for the unit."""
    return list(
        session.exec(
            select(Person)
            .join(RoleGrant, col(RoleGrant.person_id) == Person.id)
            .where(
                RoleGrant.unit_id == unit_id,
                RoleGrant.role == Role.INSPECTOR.value,
                col(RoleGrant.revoked_at).is_(None),
                col(Person.blocked).is_(False),
            )
            .distinct()
        ).all()
    )


def fetch_role_people(*, session: Session, role: Role) -> list[Person]:
    """People holding an active grant of `role`."""
    return list(
        session.exec(
            select(Person)
            .join(RoleGrant, col(RoleGrant.person_id) == Person.id)
            .where(
                RoleGrant.role == role.value,
                col(RoleGrant.revoked_at).is_(None),
                col(Person.blocked).is_(False),
            )
            .distinct()
        ).all()
    )


def claim_reminder(*, session: Session, key: str, at: datetime) -> bool:
    """Record that reminder `key` is being sent; False if it already was."""
    try:
        with session.begin_nested():
            session.execute(insert(CaseReminder).values(key=key, sent_at=at))
        return True
    except IntegrityError:
        return False


def release_reminder(*, session: Session, key: str) -> None:
    """Forget a claimed reminder whose sending failed, so it is tried again."""
    session.execute(delete(CaseReminder).where(col(CaseReminder.key) == key))


def fetch_categories(*, session: Session) -> list[Category]:
    return list(
        session.exec(
            select(Category)
            .where(col(Category.retired_at).is_(None))
            .order_by(col(Category.sort_order))
        ).all()
    )


def fetch_category_by_code(*, session: Session, code: str) -> Category | None:
    return session.exec(select(Category).where(Category.code == code.strip().lower())).first()


def count_cases(*, session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Case)).one())
