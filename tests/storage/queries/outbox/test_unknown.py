"""storage/queries/outbox/unknown.py on a real database."""

from __future__ import annotations

from sqlmodel import Session

from storage.db import OUTBOX_WRITTEN, Database
from storage.models.notices import DeliveryStatus
from storage.queries.outbox.unknown import (
    count_unknown_deliveries,
    fetch_unknown_deliveries,
    requeue_unknown,
)
from tests.storage.queries.outbox.rows import LATER, NOW, delivery, released


def unknown_rows(session: Session) -> tuple[int, int, list[int]]:
    """Two notices with rows left unknown (two of the first, one of the second) and one sent."""
    first = released(session, [1001, 1002, 1003], title="First")
    second = released(session, [1004], title="Second")
    ids = []
    for notice_id, chat in ((first, 1001), (first, 1002), (second, 1004)):
        row = delivery(session, notice_id, chat)
        row.status, row.attempts, row.parts_sent = DeliveryStatus.UNKNOWN.value, 1, 1
        row.last_error = "no answer from Telegram"
        session.add(row)
        assert row.id is not None
        ids.append(row.id)
    sent = delivery(session, first, 1003)
    sent.status = DeliveryStatus.SENT.value
    session.add(sent)
    session.flush()
    return first, second, ids


def test_unknown_rows_are_listed_oldest_first_and_counted(db: Database) -> None:
    def run(session: Session) -> None:
        first, second, ids = unknown_rows(session)
        listed = fetch_unknown_deliveries(session=session)
        assert [u.id for u in listed] == ids
        assert [(u.notice_id, u.title, u.chat_id) for u in listed][-1] == (second, "Second", 1004)
        assert {u.last_error for u in listed} == {"no answer from Telegram"}
        assert [u.chat_id for u in fetch_unknown_deliveries(session=session, notice_id=first)] == [
            1001,
            1002,
        ]
        assert len(fetch_unknown_deliveries(session=session, limit=1)) == 1
        assert count_unknown_deliveries(session=session) == 3

    db.call(run)


def test_resending_puts_the_checked_rows_back_in_the_outbox_from_the_part_they_reached(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        first, _second, ids = unknown_rows(session)
        session.info.pop(OUTBOX_WRITTEN, None)
        assert (
            requeue_unknown(session=session, ids=ids[:2], now=LATER, note="checked by ann") == []
        )
        assert session.info.get(OUTBOX_WRITTEN) is True  # the worker is woken on commit
        session.expire_all()
        row = delivery(session, first, 1001)
        assert (row.status, row.next_attempt_at, row.parts_sent) == ("pending", LATER, 1)
        assert (row.first_error_at, row.last_error) == (None, "checked by ann")
        assert count_unknown_deliveries(session=session) == 1

    db.call(run)


def test_resending_an_id_that_is_not_unknown_changes_nothing(db: Database) -> None:
    def run(session: Session) -> None:
        first, _second, ids = unknown_rows(session)
        sent = delivery(session, first, 1003)
        assert sent.id is not None
        missing = requeue_unknown(session=session, ids=[ids[0], sent.id, 99999], now=NOW, note="x")
        assert missing == [sent.id, 99999]
        assert count_unknown_deliveries(session=session) == 3

    db.call(run)
