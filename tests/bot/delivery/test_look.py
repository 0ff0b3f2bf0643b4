"""One look at the outbox (`bot/delivery/look.py`), in one transaction: the lease renewed when
asked (and nothing else done without it), the scheduled notices due released and their rows
fetched in the same look, urgent rows first, and when the next row or notice falls due."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from bot.delivery.look import Look, look_at_outbox
from bot.delivery.worker import lease_name
from bot.notices.publishing import Published
from bot.notices.publishing import publish as publish_notice
from kernel.clock import utcnow
from storage.db import Database
from storage.models import Delivery, Notice
from storage.models.notices import BULK, URGENT, DeliveryStatus, NoticeKind, NoticeState
from storage.queries.outbox.leases import acquire_lease
from storage.queries.outbox.texts import enqueue_reminder
from tests.bot.delivery.broadcasts import add_subscribers
from tests.conftest import TOKEN

NAME = lease_name(TOKEN)
LEASE = timedelta(seconds=90)


def scheduled(db: Database, title: str, at: datetime) -> Published:
    published = db.call(
        publish_notice, title=title, body="Body.", codes=["cns"], created_by_id=None, at=at
    )
    assert not published.released
    return published


def state_of(db: Database, notice_id: int) -> str:
    with db.transaction() as session:
        notice = session.get(Notice, notice_id)
        assert notice is not None
        return notice.state


def test_a_look_releases_the_notices_due_and_fetches_their_rows_urgent_first(
    db: Database,
) -> None:
    add_subscribers(db, [6801, 6802])
    at = utcnow() + timedelta(hours=1)
    notice = scheduled(db, "Scheduled", at)
    early = db.call(look_at_outbox, now=at - timedelta(minutes=1), limit=100, lease=None)
    assert (early.released, early.rows, early.next_due) == ([], [], at)
    db.call(
        enqueue_reminder,
        kind=NoticeKind.ASSESSMENT_REMINDER.value,
        key="assessment.remind",
        values={},
        chat_id=6802,
        once_key="look",
        now=utcnow(),
    )
    look = db.call(look_at_outbox, now=at + timedelta(seconds=1), limit=100, lease=None)
    assert look.released == [(notice.notice_id, 2)]
    assert state_of(db, notice.notice_id) == NoticeState.RELEASED.value
    assert [row.priority for row in look.rows] == [URGENT, BULK, BULK]
    assert look.rows[0].chat_id == 6802 and look.rows[0].notice_id != notice.notice_id
    assert sorted(row.chat_id for row in look.rows[1:]) == [6801, 6802]
    assert {row.notice_id for row in look.rows[1:]} == {notice.notice_id}
    assert look.lease_held is None  # not asked
    assert look.next_due is None  # nothing else is waiting


def test_a_look_without_room_for_rows_releases_and_tells_the_earliest_next_due(
    db: Database,
) -> None:
    add_subscribers(db, [6803])
    at = utcnow() + timedelta(hours=1)
    first = scheduled(db, "First", at)
    second = scheduled(db, "Second", at + timedelta(hours=1))
    now = at + timedelta(seconds=1)
    look = db.call(look_at_outbox, now=now, limit=0, lease=None)
    assert look.released == [(first.notice_id, 1)] and look.rows == []
    assert look.next_due == second.scheduled_at

    retry_at = now + timedelta(seconds=30)

    def put_off(session: Session) -> None:
        row = session.exec(select(Delivery).where(Delivery.notice_id == first.notice_id)).one()
        row.status, row.next_attempt_at = DeliveryStatus.RETRYING.value, retry_at
        session.add(row)

    db.call(put_off)
    assert db.call(look_at_outbox, now=now, limit=100, lease=None) == Look([], [], retry_at)


def test_a_look_for_a_worker_without_the_lease_does_nothing_else(db: Database) -> None:
    add_subscribers(db, [6804])
    at = utcnow() + timedelta(hours=1)
    notice = scheduled(db, "Held back", at)
    now = at + timedelta(seconds=1)  # the look's clock: the other's lease is fresh then
    assert db.call(acquire_lease, name=NAME, owner="the other", now=now, lease=LEASE)
    refused = db.call(look_at_outbox, now=now, limit=100, lease=(NAME, "this one", LEASE))
    assert refused == Look([], [], None, False)
    assert state_of(db, notice.notice_id) == NoticeState.SCHEDULED.value
    held = db.call(look_at_outbox, now=now, limit=100, lease=(NAME, "the other", LEASE))
    assert held.lease_held is True
    assert held.released == [(notice.notice_id, 1)] and [r.chat_id for r in held.rows] == [6804]
