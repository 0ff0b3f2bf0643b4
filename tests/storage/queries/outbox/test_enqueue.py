"""storage/queries/outbox/enqueue.py on a real database."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from storage.db import OUTBOX_WRITTEN, Database
from storage.models import Delivery, Notice
from storage.models.notices import BULK, URGENT, DeliveryStatus, NoticeState
from storage.queries.outbox.enqueue import enqueue
from tests.storage.queries.outbox.rows import NOW, notice, person


def test_each_chat_gets_one_pending_row_and_the_notice_is_released_with_its_count(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        notice_id = notice(session)
        alice = person(session, 701)
        written = enqueue(
            session=session,
            notice_id=notice_id,
            recipients=[(alice, 701), (None, 702), (alice, 701)],
            now=NOW,
        )
        assert written == 2
        rows = session.exec(select(Delivery).where(Delivery.notice_id == notice_id)).all()
        assert sorted((r.chat_id, r.person_id) for r in rows) == [(701, alice), (702, None)]
        assert {(r.status, r.priority, r.attempts, r.parts_sent) for r in rows} == {
            (DeliveryStatus.PENDING.value, BULK, 0, 0)
        }
        assert all(r.next_attempt_at == NOW for r in rows)
        released = session.get(Notice, notice_id)
        assert released is not None
        assert (released.state, released.released_at, released.recipients) == (
            NoticeState.RELEASED.value,
            NOW,
            2,
        )
        assert session.info.get(OUTBOX_WRITTEN) is True

    db.call(run)


def test_no_recipients_releases_the_notice_to_nobody_and_wakes_nobody(db: Database) -> None:
    def run(session: Session) -> None:
        notice_id = notice(session)
        assert enqueue(session=session, notice_id=notice_id, recipients=[], now=NOW) == 0
        released = session.get(Notice, notice_id)
        assert released is not None and released.recipients == 0
        assert released.state == NoticeState.RELEASED.value
        assert not session.info.get(OUTBOX_WRITTEN)

    db.call(run)


def test_a_commit_that_wrote_rows_calls_the_databases_listeners(db: Database) -> None:
    woken: list[str] = []
    db.on_outbox_commit.append(lambda: woken.append("woken"))

    def write(session: Session) -> None:
        enqueue(session=session, notice_id=notice(session), recipients=[(None, 703)], now=NOW)

    db.call(write)
    assert woken == ["woken"]
    db.call(lambda session: notice(session))
    assert woken == ["woken"]


def test_a_once_key_cannot_be_written_twice_and_priority_is_kept(db: Database) -> None:
    def first(session: Session) -> None:
        enqueue(
            session=session,
            notice_id=notice(session),
            recipients=[(None, 704)],
            now=NOW,
            priority=URGENT,
            once_keys={704: "case_reminder:7:2026-03-02:704"},
        )

    db.call(first)
    with db.transaction() as session:
        row = session.exec(select(Delivery).where(Delivery.chat_id == 704)).one()
        assert (row.priority, row.once_key) == (URGENT, "case_reminder:7:2026-03-02:704")
    with pytest.raises(IntegrityError):
        db.call(first)
