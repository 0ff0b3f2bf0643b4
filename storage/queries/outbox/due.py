"""The rows the delivery worker has to send: those due now (urgent first), when the next one
falls due, and how many are open."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import Delivery, Notice, Person
from storage.models.notices import (
    BULK,
    OPEN_STATUSES,
    URGENT,
    Channel,
    NoticeKind,
    NoticeState,
)

TELEGRAM = col(Delivery.channel) == Channel.TELEGRAM.value
"""The Telegram worker's rows: e-mail rows are the mail sender's (`storage.queries.mail`)."""


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
    priority: int = BULK


def fetch_due_deliveries(
    session: Session, *, now: datetime, limit: int, after_id: int = 0
) -> list[DueDelivery]:
    """Open outbox rows whose time has come: the urgent first (case news, reminders), then
    the rest, each oldest first. Two queries in id order rather than one sorted by priority:
    a broadcast's thousands of open rows are then never sorted, and the few urgent ones are
    found through their own index."""
    urgent = _due(session=session, now=now, limit=limit, after_id=after_id, priority=URGENT)
    taken = {row.id for row in urgent}
    rest = _due(session=session, now=now, limit=limit, after_id=after_id, priority=None)
    return (urgent + [row for row in rest if row.id not in taken])[:limit]


def _due(
    session: Session, *, now: datetime, limit: int, after_id: int, priority: int | None
) -> list[DueDelivery]:
    """Due rows in id order (of `priority`, or of any: the plan of a plain id-ordered scan)."""
    if limit <= 0:
        return []
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
            col(Delivery.priority),
        )
        .outerjoin(Person, col(Person.id) == Delivery.person_id)
        .where(
            *([] if priority is None else [col(Delivery.priority) == priority]),
            TELEGRAM,
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
            priority=r[8],
        )
        for r in rows
    ]


def fetch_next_due_at(session: Session, *, now: datetime) -> datetime | None:
    """When the next open row (a retry put off) or scheduled notice falls due after `now`."""
    row_due = session.exec(
        select(func.min(Delivery.next_attempt_at)).where(
            TELEGRAM, col(Delivery.status).in_(OPEN_STATUSES), col(Delivery.next_attempt_at) > now
        )
    ).one()
    notice_due = session.exec(
        select(func.min(Notice.scheduled_at)).where(
            col(Notice.state) == NoticeState.SCHEDULED.value,
            col(Notice.kind) == NoticeKind.NOTICE.value,
            col(Notice.scheduled_at) > now,
        )
    ).one()
    found = [d for d in (row_due, notice_due) if d is not None]
    return min(found) if found else None


def fetch_delivery_ids(session: Session, *, notice_id: int) -> list[int]:
    rows = session.exec(
        select(Delivery.id).where(Delivery.notice_id == notice_id).order_by(col(Delivery.id))
    ).all()
    return [r for r in rows if r is not None]


def count_open_deliveries(session: Session) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Delivery)
            .where(TELEGRAM, col(Delivery.status).in_(OPEN_STATUSES))
        ).one()
    )


def count_due_deliveries(session: Session, *, now: datetime) -> int:
    """Open outbox rows whose time has come (the worker has them to send now)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Delivery)
            .where(
                TELEGRAM,
                col(Delivery.status).in_(OPEN_STATUSES),
                col(Delivery.next_attempt_at) <= now,
            )
        ).one()
    )
