"""storage/queries/outbox/due.py on a real database."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, col

from storage.db import Database
from storage.models import Delivery, Notice
from storage.models.notices import URGENT, DeliveryStatus, NoticeState
from storage.queries.outbox.due import (
    count_due_deliveries,
    count_open_deliveries,
    fetch_delivery_ids,
    fetch_due_deliveries,
    fetch_next_due_at,
)
from tests.storage.queries.outbox.rows import LATER, NOW, delivery, person, released


def test_urgent_rows_come_first_then_the_rest_each_oldest_first(db: Database) -> None:
    def run(session: Session) -> None:
        broadcast = released(session, [801, 802, 803], title="Broadcast")
        urgent = released(session, [804, 805], priority=URGENT, title="Case news")
        due = fetch_due_deliveries(session=session, now=NOW, limit=10)
        assert [(r.notice_id, r.chat_id) for r in due] == [
            (urgent, 804),
            (urgent, 805),
            (broadcast, 801),
            (broadcast, 802),
            (broadcast, 803),
        ]
        assert [r.priority for r in due[:2]] == [URGENT, URGENT]
        assert [r.chat_id for r in fetch_due_deliveries(session=session, now=NOW, limit=3)] == [
            804,
            805,
            801,
        ]
        after = fetch_due_deliveries(session=session, now=NOW, limit=10, after_id=due[3].id)
        assert [r.chat_id for r in after] == [804, 805, 803]  # rows after 802's id

    db.call(run)


def test_a_due_row_carries_its_persons_language_and_block_and_what_it_reached(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        notice_id = released(session, [811])
        row = delivery(session, notice_id, 811)
        row.parts_sent, row.attempts, row.first_error_at = 2, 3, NOW
        session.add(row)
        session.flush()
        (due,) = fetch_due_deliveries(session=session, now=NOW, limit=5)
        assert (due.chat_id, due.language, due.blocked, due.parts_sent, due.attempts) == (
            811,
            "en",
            False,
            2,
            3,
        )
        assert due.first_error_at == NOW

    db.call(run)


def test_rows_not_due_closed_or_without_a_chat_are_left_out(db: Database) -> None:
    def run(session: Session) -> None:
        notice_id = released(session, [821, 822, 823, 824, 825])
        later = delivery(session, notice_id, 822)
        later.next_attempt_at = LATER
        later.status = DeliveryStatus.RETRYING.value
        sent = delivery(session, notice_id, 823)
        sent.status = DeliveryStatus.SENT.value
        unknown = delivery(session, notice_id, 824)
        unknown.status = DeliveryStatus.UNKNOWN.value
        forgotten = delivery(session, notice_id, 825)
        forgotten.chat_id, forgotten.chat_hash = None, "ab" * 32
        session.add_all([later, sent, unknown, forgotten])
        session.flush()
        assert [r.chat_id for r in fetch_due_deliveries(session=session, now=NOW, limit=9)] == [
            821
        ]
        assert [r.chat_id for r in fetch_due_deliveries(session=session, now=LATER, limit=9)] == [
            821,
            822,
        ]
        assert count_due_deliveries(session=session, now=NOW) == 2  # 821 and the hashed one
        assert count_open_deliveries(session=session) == 3
        ids = fetch_delivery_ids(session=session, notice_id=notice_id)
        assert ids == sorted(ids) and len(ids) == 5

    db.call(run)


def test_the_next_due_time_is_the_first_retry_or_scheduled_notice_after_now(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        assert fetch_next_due_at(session=session, now=NOW) is None
        notice_id = released(session, [831])
        assert fetch_next_due_at(session=session, now=NOW) is None  # due now, not after
        session.execute(
            update(Delivery)
            .where(col(Delivery.notice_id) == notice_id)
            .values(next_attempt_at=LATER, status=DeliveryStatus.RETRYING.value)
        )
        assert fetch_next_due_at(session=session, now=NOW) == LATER
        scheduled = Notice(
            title="Tomorrow",
            body="",
            state=NoticeState.SCHEDULED.value,
            scheduled_at=NOW + timedelta(minutes=1),
        )
        person(session, 832)
        session.add(scheduled)
        session.flush()
        assert fetch_next_due_at(session=session, now=NOW) == NOW + timedelta(minutes=1)

    db.call(run)
