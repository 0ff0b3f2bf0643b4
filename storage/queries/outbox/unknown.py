"""Rows sent with no answer from Telegram (`unknown`): they may have arrived, so they wait for a
person, who lists them and puts back in the outbox the ones that did not."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import Delivery, Notice
from storage.models.notices import DeliveryStatus
from storage.queries.outbox.enqueue import notify_written


@dataclass(frozen=True)
class UnknownDelivery:
    """A row sent with no answer (from Telegram, or from the mail server after its DATA): it
    may have arrived, so it waits for a person."""

    id: int
    notice_id: int
    kind: str
    title: str
    chat_id: int | None
    attempts: int
    tried_at: datetime
    last_error: str | None
    channel: str
    email_id: int | None


def fetch_unknown_deliveries(
    session: Session, *, notice_id: int | None = None, limit: int = 500
) -> list[UnknownDelivery]:
    """Rows left `unknown` (of one notice, or all), oldest first."""
    rows = session.execute(
        sa_select(
            col(Delivery.id),
            col(Delivery.notice_id),
            col(Notice.kind),
            col(Notice.title),
            col(Delivery.chat_id),
            col(Delivery.attempts),
            col(Delivery.next_attempt_at),
            col(Delivery.last_error),
            col(Delivery.channel),
            col(Delivery.email_id),
        )
        .join(Notice, col(Notice.id) == Delivery.notice_id)
        .where(
            col(Delivery.status) == DeliveryStatus.UNKNOWN.value,
            *([] if notice_id is None else [col(Delivery.notice_id) == notice_id]),
        )
        .order_by(col(Delivery.id))
        .limit(limit)
    ).all()
    return [UnknownDelivery(*r) for r in rows]


def count_unknown_deliveries(session: Session) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Delivery)
            .where(col(Delivery.status) == DeliveryStatus.UNKNOWN.value)
        ).one()
    )


def requeue_unknown(
    session: Session, *, ids: Sequence[int], now: datetime, note: str
) -> list[int]:
    """Put the `unknown` rows `ids` back in the outbox (from the part they reached); returns
    the ids that were not `unknown` rows (nothing is changed then)."""
    found = set(
        session.exec(
            select(Delivery.id).where(
                col(Delivery.id).in_(list(ids)),
                col(Delivery.status) == DeliveryStatus.UNKNOWN.value,
            )
        ).all()
    )
    missing = [i for i in ids if i not in found]
    if missing:
        return missing
    session.execute(
        update(Delivery)
        .where(col(Delivery.id).in_(list(ids)))
        .values(
            status=DeliveryStatus.PENDING.value,
            next_attempt_at=now,
            first_error_at=None,
            last_error=note[:255],
        )
    )
    notify_written(session)
    return []
