"""storage/queries/outbox/results.py on a real database."""

from __future__ import annotations

from sqlmodel import Session

from storage.db import Database
from storage.models import Person
from storage.models.notices import DeliveryStatus
from storage.queries.outbox.results import (
    DeliveryResult,
    mark_chat_blocked,
    record_delivery_results,
    record_parts_sent,
)
from tests.storage.queries.outbox.rows import LATER, NOW, delivery, released


def test_a_batch_of_outcomes_is_written_row_by_row(db: Database) -> None:
    def run(session: Session) -> None:
        notice_id = released(session, [901, 902])
        first, second = delivery(session, notice_id, 901), delivery(session, notice_id, 902)
        assert first.id is not None and second.id is not None
        record_delivery_results(
            session=session,
            results=[
                DeliveryResult(first.id, DeliveryStatus.SENT, 1, NOW, sent_at=NOW, parts_sent=1),
                DeliveryResult(
                    second.id,
                    DeliveryStatus.RETRYING,
                    1,
                    LATER,
                    first_error_at=NOW,
                    last_error="x" * 400,
                ),
            ],
        )
        record_delivery_results(session=session, results=[])
        session.expire_all()
        sent, retrying = delivery(session, notice_id, 901), delivery(session, notice_id, 902)
        assert (sent.status, sent.attempts, sent.sent_at, sent.parts_sent) == ("sent", 1, NOW, 1)
        assert (retrying.status, retrying.next_attempt_at, retrying.first_error_at) == (
            "retrying",
            LATER,
            NOW,
        )
        assert retrying.last_error == "x" * 255

    db.call(run)


def test_the_parts_a_chat_has_are_recorded_while_the_row_stays_open(db: Database) -> None:
    def run(session: Session) -> None:
        notice_id = released(session, [911])
        row = delivery(session, notice_id, 911)
        assert row.id is not None
        record_parts_sent(session=session, progress=[(row.id, 2)])
        record_parts_sent(session=session, progress=[])
        session.expire_all()
        row = delivery(session, notice_id, 911)
        assert (row.parts_sent, row.status) == (2, DeliveryStatus.PENDING.value)

    db.call(run)


def test_a_chat_that_blocked_the_bot_has_its_open_rows_closed_and_its_person_marked(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        first = released(session, [921], title="First")
        second = released(session, [922], title="Second")
        done = delivery(session, first, 921)
        done.status = DeliveryStatus.SENT.value
        session.add(done)
        open_row = delivery(session, second, 922)
        open_row.chat_id = 921  # a second notice's row to the same chat
        session.add(open_row)
        session.flush()
        mark_chat_blocked(session=session, chat_id=921, now=NOW)
        session.expire_all()
        assert delivery(session, first, 921).status == DeliveryStatus.SENT.value
        closed = delivery(session, second, 921)
        assert (closed.status, closed.last_error) == ("blocked", "blocked by the user")
        blocked = session.get(Person, done.person_id)
        assert blocked is not None and blocked.blocked and blocked.blocked_at == NOW

    db.call(run)
