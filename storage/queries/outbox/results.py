"""What the delivery worker's sends did to their rows, written in batches (one executemany per
batch), the parts of a long notice a chat already has, and a chat that blocked the bot."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlmodel import Session, col

from storage.models import Delivery, Person
from storage.models.notices import OPEN_STATUSES, DeliveryStatus
from storage.queries.outbox.enqueue import DELIVERY_TABLE


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


def record_delivery_results(session: Session, *, results: Sequence[DeliveryResult]) -> None:
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


def record_parts_sent(session: Session, *, progress: Sequence[tuple[int, int]]) -> None:
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


def mark_chat_blocked(session: Session, *, chat_id: int, now: datetime) -> None:
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
