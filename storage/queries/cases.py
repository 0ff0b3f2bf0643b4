"""Cases: numbering, storing and reading, and the final replies given per unit with what became
of them (the monthly summary's aggregations are in `case_summary.py`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Table, and_, delete, exists, func, insert, or_, update
from sqlalchemy import case as sa_case
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import (
    Case,
    CaseAttachment,
    CaseCounter,
    CaseEvent,
    CaseReporter,
    Category,
    Delivery,
    Notice,
    OutboxText,
    Person,
    Role,
    RoleGrant,
    Unit,
)
from storage.models.cases import FINAL_STATES, CaseImport, CaseKind, CaseState, Channel
from storage.models.notices import DeliveryStatus, NoticeKind
from storage.queries.bulk import bulk_insert
from storage.queries.outbox.case_messages import REPLY_KEY, UNDELIVERED

CASE_TABLE: Table = Case.__table__  # type: ignore[attr-defined]
"""The table itself: bulk inserts through it skip the ORM's per-row bookkeeping."""
REPORTER_TABLE: Table = CaseReporter.__table__  # type: ignore[attr-defined]
EVENT_TABLE: Table = CaseEvent.__table__  # type: ignore[attr-defined]
OPEN_STATES = tuple(s.value for s in CaseState if s not in FINAL_STATES)
RUNNING_STATES = (
    CaseState.RECEIVED.value,
    CaseState.ASSIGNED.value,
    CaseState.INVESTIGATING.value,
)
"""Open states in which the clock runs and the case can be overdue."""


def _published() -> ColumnElement[bool]:
    """Filed in chat, or written by a `case import` that has finished: what staff, lists and
    reminders see (an unfinished import's rows may still be removed)."""
    return or_(
        col(Case.import_id).is_(None),
        exists().where(
            col(CaseImport.id) == col(Case.import_id), col(CaseImport.finished_at).is_not(None)
        ),
    )


def take_case_number(session: Session, *, kind: CaseKind, year: int) -> int:
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


def reserve_case_numbers(session: Session, *, kind: str, year: int, count: int) -> int:
    """Take `count` consecutive sequence numbers for `kind` in `year` at once (an import);
    returns the first. Concurrent filings take numbers after the block."""
    for _ in range(3):
        last = session.execute(
            update(CaseCounter)
            .where(col(CaseCounter.kind) == kind, col(CaseCounter.year) == year)
            .values(last_seq=col(CaseCounter.last_seq) + count)
            .returning(col(CaseCounter.last_seq))
        ).scalar_one_or_none()
        if last is not None:
            return int(last) - count + 1
        try:
            with session.begin_nested():
                session.execute(insert(CaseCounter).values(kind=kind, year=year, last_seq=count))
            return 1
        except IntegrityError:
            continue
    raise RuntimeError("could not reserve case numbers")


def give_back_case_numbers(
    session: Session, *, kind: str, year: int, first: int, count: int
) -> None:
    """Return a reserved block, unless numbers were taken after it meanwhile (then the block
    stays a gap: a number is never given twice)."""
    session.execute(
        update(CaseCounter)
        .where(
            col(CaseCounter.kind) == kind,
            col(CaseCounter.year) == year,
            col(CaseCounter.last_seq) == first + count - 1,
        )
        .values(last_seq=first - 1)
    )


def start_case_import(session: Session, *, at: datetime, rows: int) -> int:
    """A new, unfinished import; returns its id."""
    row = CaseImport(started_at=at, touched_at=at, rows=rows)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def insert_imported_cases(
    session: Session,
    *,
    import_id: int,
    at: datetime,
    cases: Sequence[dict[str, Any]],
    reporters: Sequence[dict[str, Any] | None],
    events: Sequence[dict[str, Any]],
) -> None:
    """One batch of an import: the cases (bulk), then each one's reporter and first event;
    `reporters[i]` and `events[i]` belong to `cases[i]`. Touches the import."""
    bulk_insert(
        session=session, table=CASE_TABLE, rows=[{**c, "import_id": import_id} for c in cases]
    )
    numbers = [c["number"] for c in cases]
    found = dict(
        session.exec(
            select(Case.number, Case.id).where(
                col(Case.import_id) == import_id, col(Case.number).in_(numbers)
            )
        ).all()
    )
    ids = [found[number] for number in numbers]
    reporter_rows = [
        {**reporter, "case_id": case_id}
        for case_id, reporter in zip(ids, reporters, strict=True)
        if reporter is not None
    ]
    bulk_insert(session=session, table=REPORTER_TABLE, rows=reporter_rows)
    bulk_insert(
        session=session,
        table=EVENT_TABLE,
        rows=[{**event, "case_id": case_id} for case_id, event in zip(ids, events, strict=True)],
    )
    session.execute(
        update(CaseImport).where(col(CaseImport.id) == import_id).values(touched_at=at)
    )


def finish_case_import(session: Session, *, import_id: int, at: datetime) -> None:
    """Show an import's cases: from now on they are cases like any other."""
    session.execute(
        update(CaseImport)
        .where(col(CaseImport.id) == import_id)
        .values(finished_at=at, touched_at=at)
    )


def delete_case_import(session: Session, *, import_id: int) -> int:
    """Remove an unfinished import and every row it wrote (reporters, files and events go
    with their case); returns the number of cases removed."""
    removed = session.execute(delete(Case).where(col(Case.import_id) == import_id))
    session.execute(delete(CaseImport).where(col(CaseImport.id) == import_id))
    return int(getattr(removed, "rowcount", 0) or 0)


def fetch_abandoned_imports(session: Session, *, touched_before: datetime) -> list[int]:
    """Unfinished imports not touched since `touched_before`: interrupted, never to finish."""
    rows = session.exec(
        select(CaseImport).where(
            col(CaseImport.finished_at).is_(None), col(CaseImport.touched_at) < touched_before
        )
    ).all()
    return [row.id for row in rows if row.id is not None]


def fetch_codes_to_ids(session: Session) -> tuple[dict[str, int], dict[str, int]]:
    """Every category code, and every unit code and Chinese unit name, with its id (an
    import's look-ups, as `fetch_category_by_code` and `fetch_unit_by_code` would find them)."""
    categories = {c.code: c.id for c in session.exec(select(Category)).all() if c.id}
    units: dict[str, int] = {}
    for unit in session.exec(select(Unit)).all():
        if unit.id:
            units.setdefault(unit.name_zh, unit.id)
            units[unit.code] = unit.id
    return categories, units


def fetch_filing_times(session: Session, *, person_id: int, since: datetime) -> list[datetime]:
    """When this person filed in chat since `since`, oldest first (the filing limit)."""
    return list(
        session.exec(
            select(Case.received_at)
            .join(CaseReporter, col(CaseReporter.case_id) == Case.id)
            .where(
                CaseReporter.person_id == person_id,
                Case.channel == Channel.TELEGRAM.value,
                col(Case.received_at) >= since,
            )
            .order_by(col(Case.received_at))
        ).all()
    )


def set_case_counter(session: Session, *, kind: CaseKind, year: int, last_seq: int) -> None:
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
    session: Session,
    *,
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


def fetch_case_by_number(session: Session, *, number: str, lock: bool = False) -> Case | None:
    """The case with this number (case-insensitive), optionally locked for update."""
    query = select(Case).where(Case.number == number.strip().upper(), _published())
    if lock:
        query = query.with_for_update()
    return session.exec(query).first()


def fetch_case_reporter(session: Session, *, case_id: int) -> tuple[CaseReporter, Person | None]:
    """The reporter row and their person (None once forgotten or when filed off-line)."""
    row = session.exec(
        select(CaseReporter, Person)
        .outerjoin(Person, col(Person.id) == CaseReporter.person_id)
        .where(CaseReporter.case_id == case_id)
    ).first()
    if row is None:
        return CaseReporter(case_id=case_id), None
    return row[0], row[1]


def fetch_case_events(session: Session, *, case_id: int) -> list[CaseEvent]:
    return list(
        session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.id))
        ).all()
    )


def fetch_case_attachments(session: Session, *, case_id: int) -> list[CaseAttachment]:
    return list(
        session.exec(
            select(CaseAttachment)
            .where(CaseAttachment.case_id == case_id)
            .order_by(col(CaseAttachment.id))
        ).all()
    )


def add_case_event(
    session: Session,
    *,
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


def fetch_cases_of_reporter(
    session: Session, *, person_id: int, offset: int = 0, limit: int = 20
) -> tuple[list[Case], int]:
    """A page of a reporter's own cases, newest first, and how many they have."""
    mine = (
        select(Case)
        .join(CaseReporter, col(CaseReporter.case_id) == Case.id)
        .where(CaseReporter.person_id == person_id)
    )
    total = session.exec(select(func.count()).select_from(mine.subquery())).one()
    rows = session.exec(
        mine.order_by(col(Case.received_at).desc(), col(Case.id).desc())
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), int(total)


def fetch_case_list(
    session: Session,
    *,
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
    conditions.append(_published())
    total = session.exec(select(func.count()).select_from(Case).where(*conditions)).one()
    rows = session.exec(
        select(Case)
        .where(*conditions)
        .order_by(col(Case.due_on), col(Case.id))
        .offset(offset)
        .limit(limit)
    ).all()
    return list(rows), int(total)


def fetch_overdue_cases(session: Session, *, today: date) -> list[tuple[Case, Unit | None]]:
    """Cases whose clock runs and whose deadline has passed, oldest deadline first."""
    return [
        (c, u)
        for c, u in session.exec(
            select(Case, Unit)
            .outerjoin(Unit, col(Unit.id) == Case.unit_id)
            .where(col(Case.state).in_(RUNNING_STATES), col(Case.due_on) < today, _published())
            .order_by(col(Case.due_on), col(Case.id))
        ).all()
    ]


def fetch_running_cases(session: Session) -> list[Case]:
    """Assigned cases whose clock runs (the open caseload: a few dozen at a time)."""
    return list(
        session.exec(
            select(Case)
            .where(
                col(Case.state).in_(RUNNING_STATES), col(Case.unit_id).is_not(None), _published()
            )
            .order_by(col(Case.id))
        ).all()
    )


def fetch_unit_inspectors(session: Session, *, unit_id: int) -> list[Person]:
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


def fetch_role_people(session: Session, *, role: Role) -> list[Person]:
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


def fetch_categories(session: Session) -> list[Category]:
    return list(
        session.exec(
            select(Category)
            .where(col(Category.retired_at).is_(None))
            .order_by(col(Category.sort_order))
        ).all()
    )


def fetch_category_by_code(session: Session, *, code: str) -> Category | None:
    return session.exec(select(Category).where(Category.code == code.strip().lower())).first()


def count_cases(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Case)).one())


def count_replies_off_chat(session: Session, *, first: date, last: date) -> int:
    """Final replies given by phone, letter or e-mail (recorded, not sent) between two days."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Case)
            .where(
                col(Case.reply_channel).is_not(None),
                col(Case.replied_on) >= first,
                col(Case.replied_on) <= last,
                _published(),
            )
        ).one()
    )


class RepliesGiven(NamedTuple):
    """A unit's final replies given in a span, by what became of them."""

    given: int
    in_chat: int
    """Sent in chat and accepted by Telegram (the latest copy of the reply)."""
    off_chat: int
    """Given by phone, letter or e-mail (recorded, not sent)."""
    undelivered: int
    """Sent in chat and refused: the chat blocked the bot, or the send failed."""


def count_replies_by_unit(session: Session, *, first: date, last: date) -> dict[int, RepliesGiven]:
    """Final replies given between two days (the day of the case's first reply), per owning
    unit; in chat, a case counts by the latest copy of its reply, as the case list flags it."""
    latest = (
        sa_select(col(OutboxText.case_id).label("case_id"), func.max(Delivery.id).label("last_id"))
        .join(Notice, col(Notice.ref_id) == OutboxText.id)
        .join(Delivery, col(Delivery.notice_id) == Notice.id)
        .where(
            col(Notice.kind) == NoticeKind.CASE_NEWS.value,
            col(OutboxText.public).is_(True),
            col(OutboxText.key) == REPLY_KEY,
        )
        .group_by(col(OutboxText.case_id))
        .subquery()
    )
    off_chat = col(Case.reply_channel).is_not(None)
    in_chat = col(Case.reply_channel).is_(None)

    def tally(*when: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(sa_case((and_(*when), 1), else_=0)), 0)

    rows = session.execute(
        sa_select(
            col(Case.unit_id),
            func.count(),
            tally(in_chat, col(Delivery.status) == DeliveryStatus.SENT.value),
            tally(off_chat),
            tally(in_chat, col(Delivery.status).in_(UNDELIVERED)),
        )
        .select_from(Case)
        .outerjoin(latest, latest.c.case_id == Case.id)
        .outerjoin(Delivery, col(Delivery.id) == latest.c.last_id)
        .where(
            col(Case.unit_id).is_not(None),
            col(Case.replied_on) >= first,
            col(Case.replied_on) <= last,
            _published(),
        )
        .group_by(col(Case.unit_id))
    ).all()
    return {int(r[0]): RepliesGiven(*(int(v) for v in r[1:])) for r in rows}
