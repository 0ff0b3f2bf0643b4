"""Delivery progress: a notice's outbox rows counted by status (how much is over, as JSON for
the command line), the latest notices newest first; and whether delivery is paused, read from
the delivery worker's lease: a pause the worker recorded (since when, and why), or a worker
that stopped renewing its lease."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.notices import publishing
from bot.notices.status import (
    SILENT_AFTER,
    delivery_overview,
    delivery_pause,
    notice_status,
    recent_statuses,
)
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.db import Database
from storage.models import Delivery
from storage.queries.outbox import leases
from tests.factories import add_firm

LEASE = "delivery:123456"


def test_no_worker_and_a_worker_at_work_are_not_paused(db: Database) -> None:
    now = utcnow()
    assert db.call(delivery_pause, now=now) is None
    db.call(leases.acquire_lease, name=LEASE, owner="a", now=now, lease=timedelta(seconds=30))
    assert db.call(delivery_pause, now=now + timedelta(seconds=5)) is None


def test_a_recorded_pause_says_since_when_and_why_until_it_is_cleared(db: Database) -> None:
    now = utcnow()
    db.call(leases.acquire_lease, name=LEASE, owner="a", now=now, lease=timedelta(seconds=30))
    db.call(leases.record_pause, name=LEASE, owner="a", since=now, reason="OSError: disk full")
    db.call(leases.record_pause, name=LEASE, owner="b", since=now, reason="not the holder")
    pause = db.call(delivery_pause, now=now + timedelta(seconds=1))
    assert pause is not None and not pause.silent
    assert (pause.since, pause.reason) == (now, "OSError: disk full")
    assert pause.as_json() == {"since": now.isoformat(), "reason": "OSError: disk full"}
    db.call(leases.clear_pause, name=LEASE, owner="a")
    assert db.call(delivery_pause, now=now + timedelta(seconds=2)) is None


def test_a_worker_that_stopped_renewing_its_lease_counts_as_paused_since_its_last_word(
    db: Database,
) -> None:
    then = utcnow() - timedelta(minutes=5)
    db.call(leases.acquire_lease, name=LEASE, owner="a", now=then, lease=timedelta(seconds=30))
    assert db.call(delivery_pause, now=then + SILENT_AFTER - timedelta(seconds=1)) is None
    pause = db.call(delivery_pause, now=utcnow())
    assert pause is not None and pause.silent and pause.since == then
    assert "lease" in pause.reason


def publish_to_four(db: Database, title: str) -> int:
    """A notice released to four subscribed chats; returns its id."""
    with db.transaction() as session:
        for chat in (11, 12, 13, 14):
            add_firm(session, chat, ["cns"])
        published = publishing.publish(
            session=session, title=title, body="B", codes=["cns"], created_by_id=None
        )
    return published.notice_id


def test_a_notices_progress_counts_its_rows_by_status(db: Database) -> None:
    notice = publish_to_four(db, "Recall")
    fresh = db.call(notice_status, notice_id=notice)
    assert (fresh.title, fresh.state, fresh.total, fresh.done, fresh.percent) == (
        "Recall",
        "released",
        4,
        0,
        0,
    )
    with db.transaction() as session:
        rows = session.exec(select(Delivery).where(Delivery.notice_id == notice)).all()
        for row, status in zip(rows, ("sent", "blocked", "retrying", "pending"), strict=True):
            row.status = status
            session.add(row)
    status = db.call(notice_status, notice_id=notice)
    assert (status.done, status.percent, status.paused, status.unreached) == (2, 50, None, ())
    assert status.as_json() == {
        "notice_id": notice,
        "total": 4,
        **status.counts,
        "unreached": 0,
        "telegram": {"total": 4, **status.counts},
        "email": {"total": 0, **dict.fromkeys(status.counts, 0)},
    }
    assert (status.counts["sent"], status.counts["blocked"], status.counts["failed"]) == (1, 1, 0)
    with pytest.raises(UserError) as unknown:
        db.call(notice_status, notice_id=notice + 99)
    assert unknown.value.key == "notices.unknown_notice"


def test_the_overview_lists_the_latest_notices_newest_first_and_says_a_pause(
    db: Database,
) -> None:
    first = publish_to_four(db, "First")
    with db.transaction() as session:
        second = publishing.publish(
            session=session, title="Second", body="B", codes=["rpc"], created_by_id=None
        ).notice_id
    assert [s.notice_id for s in db.call(recent_statuses)] == [second, first]
    assert [s.notice_id for s in db.call(recent_statuses, limit=1)] == [second]
    nobody = db.call(recent_statuses)[0]
    assert (nobody.total, nobody.percent) == (0, 100)  # nobody to reach: nothing left to do
    now = utcnow()
    db.call(leases.acquire_lease, name=LEASE, owner="a", now=now, lease=timedelta(seconds=30))
    db.call(leases.record_pause, name=LEASE, owner="a", since=now, reason="OSError: disk full")
    overview = db.call(delivery_overview)
    assert overview.paused is not None and overview.paused.reason == "OSError: disk full"
    assert [s.title for s in overview.notices] == ["Second", "First"]
