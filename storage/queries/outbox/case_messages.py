"""What a case's reporter was sent (case news through the outbox) and whether it arrived: the
card's proof of delivery, the cases whose final reply did not, the replies delivered in a
month."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import Delivery, Notice, OutboxText
from storage.models.notices import DeliveryStatus, NoticeKind


@dataclass(frozen=True)
class CaseMessage:
    """One message to a case's reporter and what became of it."""

    case_id: int
    key: str
    status: str
    queued_at: datetime | None
    sent_at: datetime | None


UNDELIVERED = (DeliveryStatus.BLOCKED.value, DeliveryStatus.FAILED.value)
REPLY_KEY = "cases.notify.reply"


def fetch_reporter_messages(session: Session, *, case_ids: Sequence[int]) -> list[CaseMessage]:
    """The messages to the reporters of `case_ids` (case news written to the outbox), oldest
    first, each with its delivery's state."""
    if not case_ids:
        return []
    rows = session.execute(
        sa_select(
            col(OutboxText.case_id),
            col(OutboxText.key),
            col(Delivery.status),
            col(Notice.released_at),
            col(Delivery.sent_at),
        )
        .join(Notice, col(Notice.ref_id) == OutboxText.id)
        .join(Delivery, col(Delivery.notice_id) == Notice.id)
        .where(
            col(OutboxText.case_id).in_(list(case_ids)),
            col(OutboxText.public).is_(True),
            col(Notice.kind) == NoticeKind.CASE_NEWS.value,
        )
        .order_by(col(Delivery.id))
    ).all()
    return [CaseMessage(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def fetch_undelivered_replies(session: Session, *, case_ids: Sequence[int]) -> set[int]:
    """Which of `case_ids` have a final reply Telegram would not take (blocked or failed) and
    no later copy of it sent."""
    replies: dict[int, str] = {}
    for message in fetch_reporter_messages(session=session, case_ids=case_ids):
        if message.key == REPLY_KEY:
            replies[message.case_id] = message.status
    return {case_id for case_id, status in replies.items() if status in UNDELIVERED}


def count_replies_delivered(session: Session, *, start: datetime, end: datetime) -> int:
    """Final replies Telegram accepted in [start, end): a reply counts on the day it was sent."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Delivery)
            .join(Notice, col(Notice.id) == Delivery.notice_id)
            .join(OutboxText, col(OutboxText.id) == Notice.ref_id)
            .where(
                col(Notice.kind) == NoticeKind.CASE_NEWS.value,
                col(OutboxText.key) == REPLY_KEY,
                col(Delivery.status) == DeliveryStatus.SENT.value,
                col(Delivery.sent_at) >= start,
                col(Delivery.sent_at) < end,
            )
        ).one()
    )
