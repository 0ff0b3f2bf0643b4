"""The delivery outbox, for the worker: due rows, outcomes and the parts of long notices
written in batches, a chat that blocked the bot, the lease that keeps one worker per bot token,
and the pause the worker records while an error keeps it from delivering."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, and_, bindparam, case, delete, func, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import Delivery, DeliveryPause, Notice, Person, WorkerLease
from storage.models.notices import OPEN_STATUSES, DeliveryStatus, NoticeState

DELIVERY_TABLE: Table = Delivery.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class DueDelivery:
    id: int
    notice_id: int
    chat_id: int
    attempts: int
    first_error_at: datetime | None
    language: str | None
    blocked: bool
    parts_sent: int = 0


def enqueue(
    *,
    session: Session,
    notice_id: int,
    recipients: Iterable[tuple[int | None, int]],
    now: datetime,
) -> int:
    """Put a notice row a feature created into the outbox for the recipients it chose.

    `recipients` are (person id or None, chat id) pairs; each chat gets one row however often it
    is named. The notice is marked released with its recipient count, in the caller's
    transaction, so the feature's own state change and the outbox rows are kept together.
    Returns how many rows were written.
    """
    rows: dict[int, int | None] = {}
    for person_id, chat_id in recipients:
        rows.setdefault(chat_id, person_id)
    if rows:
        session.execute(
            DELIVERY_TABLE.insert(),
            [
                {
                    "notice_id": notice_id,
                    "person_id": person_id,
                    "chat_id": chat_id,
                    "status": DeliveryStatus.PENDING.value,
                    "attempts": 0,
                    "parts_sent": 0,
                    "next_attempt_at": now,
                }
                for chat_id, person_id in rows.items()
            ],
        )
    session.execute(
        update(Notice)
        .where(col(Notice.id) == notice_id)
        .values(state=NoticeState.RELEASED.value, released_at=now, recipients=len(rows))
    )
    return len(rows)


def fetch_due_deliveries(
    *, session: Session, now: datetime, limit: int, after_id: int = 0
) -> list[DueDelivery]:
    """Open outbox rows whose time has come, oldest first."""
    rows = session.execute(
        sa_select(
            col(Delivery.id),
            col(Delivery.notice_id),
            col(Delivery.chat_id),
            col(Delivery.attempts),
            col(Delivery.first_error_at),
            col(Person.language),
            col(Person.blocked),
            col(Delivery.parts_sent),
        )
        .outerjoin(Person, col(Person.id) == Delivery.person_id)
        .where(
            col(Delivery.status).in_(OPEN_STATUSES),
            col(Delivery.chat_id).is_not(None),
            col(Delivery.next_attempt_at) <= now,
            col(Delivery.id) > after_id,
        )
        .order_by(col(Delivery.id))
        .limit(limit)
    ).all()
    return [
        DueDelivery(
            id=r[0],
            notice_id=r[1],
            chat_id=int(r[2]),
            attempts=r[3],
            first_error_at=r[4],
            language=r[5],
            blocked=bool(r[6]),
            parts_sent=r[7],
        )
        for r in rows
    ]


def fetch_delivery_ids(*, session: Session, notice_id: int) -> list[int]:
    rows = session.exec(
        select(Delivery.id).where(Delivery.notice_id == notice_id).order_by(col(Delivery.id))
    ).all()
    return [r for r in rows if r is not None]


def count_open_deliveries(*, session: Session) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Delivery)
            .where(col(Delivery.status).in_(OPEN_STATUSES))
        ).one()
    )


@dataclass(frozen=True)
class DeliveryResult:
    """What one send attempt did to its outbox row."""

    id: int
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    first_error_at: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    parts_sent: int = 0


def record_delivery_results(*, session: Session, results: Sequence[DeliveryResult]) -> None:
    """Write a batch of send outcomes in one executemany."""
    if not results:
        return
    table = DELIVERY_TABLE
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(
            status=bindparam("new_status"),
            attempts=bindparam("new_attempts"),
            next_attempt_at=bindparam("new_next"),
            first_error_at=bindparam("new_first_error"),
            last_error=bindparam("new_error"),
            sent_at=bindparam("new_sent"),
            parts_sent=bindparam("new_parts"),
        )
    )
    session.connection().execute(
        statement,
        [
            {
                "row_id": r.id,
                "new_status": r.status.value,
                "new_attempts": r.attempts,
                "new_next": r.next_attempt_at,
                "new_first_error": r.first_error_at,
                "new_error": None if r.last_error is None else r.last_error[:255],
                "new_sent": r.sent_at,
                "new_parts": r.parts_sent,
            }
            for r in results
        ],
    )


def record_parts_sent(*, session: Session, progress: Sequence[tuple[int, int]]) -> None:
    """(row id, parts the chat has) for rows still being sent: a long notice resumes there."""
    if not progress:
        return
    table = DELIVERY_TABLE
    session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(parts_sent=bindparam("new_parts")),
        [{"row_id": row_id, "new_parts": parts} for row_id, parts in progress],
    )


def mark_chat_blocked(*, session: Session, chat_id: int, now: datetime) -> None:
    """A 403: the person is blocked and their open rows are closed as blocked."""
    session.execute(
        update(Person)
        .where(col(Person.telegram_id) == chat_id, col(Person.blocked).is_(False))
        .values(blocked=True, blocked_at=now)
    )
    session.execute(
        update(Delivery)
        .where(col(Delivery.chat_id) == chat_id, col(Delivery.status).in_(OPEN_STATUSES))
        .values(status=DeliveryStatus.BLOCKED.value, last_error="blocked by the user")
    )


def acquire_lease(
    *, session: Session, name: str, owner: str, now: datetime, lease: timedelta
) -> bool:
    """Take or renew the lease `name` for `owner`; False while another owner's is still fresh."""
    taken = session.execute(
        update(WorkerLease)
        .where(
            col(WorkerLease.name) == name,
            or_(col(WorkerLease.owner) == owner, col(WorkerLease.heartbeat_at) < now - lease),
        )
        .values(
            acquired_at=case(
                (col(WorkerLease.owner) == owner, col(WorkerLease.acquired_at)), else_=now
            ),
            owner=owner,
            heartbeat_at=now,
        )
    )
    if getattr(taken, "rowcount", 0):
        return True
    if session.get(WorkerLease, name) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(WorkerLease(name=name, owner=owner, acquired_at=now, heartbeat_at=now))
    except IntegrityError:
        return False
    return True


def release_lease(*, session: Session, name: str, owner: str) -> None:
    session.execute(
        delete(WorkerLease).where(
            and_(col(WorkerLease.name) == name, col(WorkerLease.owner) == owner)
        )
    )


def record_pause(*, session: Session, name: str, owner: str, since: datetime, reason: str) -> None:
    """The worker `owner` holding lease `name` cannot deliver since `since`, because `reason`
    (nothing is written for a worker that does not hold the lease)."""
    lease = session.get(WorkerLease, name)
    if lease is None or lease.owner != owner:
        return
    pause = session.get(DeliveryPause, name)
    if pause is None:
        session.add(DeliveryPause(name=name, owner=owner, since=since, reason=reason[:255]))
        return
    pause.owner, pause.since, pause.reason = owner, since, reason[:255]
    session.add(pause)


def clear_pause(*, session: Session, name: str, owner: str) -> None:
    """`owner` delivers again (or stops cleanly): its pause is over."""
    session.execute(
        delete(DeliveryPause).where(
            col(DeliveryPause.name) == name, col(DeliveryPause.owner) == owner
        )
    )


def fetch_pauses(*, session: Session) -> list[DeliveryPause]:
    """Recorded pauses whose worker still holds its lease, oldest first."""
    return list(
        session.exec(
            select(DeliveryPause)
            .join(
                WorkerLease,
                and_(
                    col(WorkerLease.name) == DeliveryPause.name,
                    col(WorkerLease.owner) == DeliveryPause.owner,
                ),
            )
            .order_by(col(DeliveryPause.since))
        ).all()
    )


def fetch_silent_leases(*, session: Session, heard_before: datetime) -> list[WorkerLease]:
    """Delivery leases whose worker has not renewed them since `heard_before`, oldest first."""
    return list(
        session.exec(
            select(WorkerLease)
            .where(
                col(WorkerLease.name).startswith("delivery:"),
                col(WorkerLease.heartbeat_at) < heard_before,
            )
            .order_by(col(WorkerLease.heartbeat_at))
        ).all()
    )
