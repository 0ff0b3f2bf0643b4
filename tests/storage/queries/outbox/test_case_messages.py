"""storage/queries/outbox/case_messages.py on a real database."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, col, select

from storage.db import Database
from storage.models import Delivery, Notice, OutboxText
from storage.models.notices import DeliveryStatus, NoticeKind
from storage.queries.cases import fetch_case_by_number
from storage.queries.outbox.case_messages import (
    REPLY_KEY,
    count_replies_delivered,
    fetch_reporter_messages,
    fetch_undelivered_replies,
)
from storage.queries.outbox.texts import enqueue_text
from tests.factories import file_on
from tests.storage.queries.outbox.rows import NOW

CHAT = 1101


def filed(db: Database, count: int = 1) -> list[int]:
    """Ids of `count` cases filed as a reporter files them."""
    ids = []
    for _ in range(count):
        number = file_on(db, NOW.date()).number
        with db.transaction() as session:
            case = fetch_case_by_number(session=session, number=number)
            assert case is not None and case.id is not None
            ids.append(case.id)
    return ids


def news(session: Session, case_id: int, key: str, *, public: bool = True) -> Delivery:
    """A piece of case news written to the outbox for the reporter (or staff); its row."""
    enqueue_text(
        session=session,
        kind=NoticeKind.CASE_NEWS.value,
        key=key,
        values="{}",
        recipients=[(None, CHAT)],
        now=NOW,
        public=public,
        case_id=case_id,
    )
    row = session.exec(select(Delivery).order_by(col(Delivery.id).desc())).first()
    assert row is not None
    return row


def settle(session: Session, row: Delivery, status: DeliveryStatus, sent_days: int = 0) -> None:
    row.status = status.value
    row.sent_at = NOW + timedelta(days=sent_days) if status is DeliveryStatus.SENT else None
    session.add(row)
    session.flush()


def test_a_reporters_messages_are_listed_oldest_first_with_their_state(db: Database) -> None:
    case_id, other_id = filed(db, 2)

    def run(session: Session) -> None:
        receipt = news(session, case_id, "cases.notify.received")
        settle(session, receipt, DeliveryStatus.SENT)
        news(session, case_id, "cases.notify.assigned", public=False)  # to staff: not listed
        news(session, case_id, REPLY_KEY)
        news(session, other_id, REPLY_KEY)
        listed = fetch_reporter_messages(session=session, case_ids=[case_id])
        assert [(m.key, m.status, m.sent_at) for m in listed] == [
            ("cases.notify.received", "sent", NOW),
            (REPLY_KEY, "pending", None),
        ]
        assert all(m.case_id == case_id and m.queued_at == NOW for m in listed)
        assert fetch_reporter_messages(session=session, case_ids=[]) == []

    db.call(run)


def test_a_case_is_flagged_while_its_latest_reply_was_refused(db: Database) -> None:
    ids = filed(db, 3)  # blocked, refused then sent again, pending

    def run(session: Session) -> None:
        settle(session, news(session, ids[0], REPLY_KEY), DeliveryStatus.BLOCKED)
        settle(session, news(session, ids[1], REPLY_KEY), DeliveryStatus.FAILED)
        settle(session, news(session, ids[1], REPLY_KEY), DeliveryStatus.SENT)  # a later copy
        news(session, ids[2], REPLY_KEY)
        assert fetch_undelivered_replies(session=session, case_ids=ids) == {ids[0]}

    db.call(run)


def test_replies_count_on_the_day_telegram_accepted_them(db: Database) -> None:
    (case_id,) = filed(db)

    def run(session: Session) -> None:
        settle(session, news(session, case_id, REPLY_KEY), DeliveryStatus.SENT, sent_days=0)
        settle(session, news(session, case_id, REPLY_KEY), DeliveryStatus.SENT, sent_days=3)
        settle(session, news(session, case_id, REPLY_KEY), DeliveryStatus.BLOCKED)
        settle(session, news(session, case_id, "cases.notify.received"), DeliveryStatus.SENT)
        day = timedelta(days=1)
        assert count_replies_delivered(session=session, start=NOW, end=NOW + day) == 1
        assert count_replies_delivered(session=session, start=NOW, end=NOW + 4 * day) == 2
        assert count_replies_delivered(session=session, start=NOW + day, end=NOW + 2 * day) == 0
        kinds = session.exec(
            select(Notice.kind).join(OutboxText, col(OutboxText.id) == Notice.ref_id)
        ).all()
        assert set(kinds) == {NoticeKind.CASE_NEWS.value}

    db.call(run)
