"""Whether delivery is paused, read from the delivery worker's lease: a pause the worker
recorded (since when, and why), or a worker that stopped renewing its lease."""

from __future__ import annotations

from datetime import timedelta

from bot.notices.status import SILENT_AFTER, delivery_pause
from kernel.clock import utcnow
from storage.db import Database
from storage.queries.outbox.leases import acquire_lease, clear_pause, record_pause

LEASE = "delivery:123456"


def test_no_worker_and_a_worker_at_work_are_not_paused(db: Database) -> None:
    now = utcnow()
    assert db.call(delivery_pause, now=now) is None
    db.call(acquire_lease, name=LEASE, owner="a", now=now, lease=timedelta(seconds=30))
    assert db.call(delivery_pause, now=now + timedelta(seconds=5)) is None


def test_a_recorded_pause_says_since_when_and_why_until_it_is_cleared(db: Database) -> None:
    now = utcnow()
    db.call(acquire_lease, name=LEASE, owner="a", now=now, lease=timedelta(seconds=30))
    db.call(record_pause, name=LEASE, owner="a", since=now, reason="OSError: disk full")
    db.call(record_pause, name=LEASE, owner="b", since=now, reason="not the holder")
    pause = db.call(delivery_pause, now=now + timedelta(seconds=1))
    assert pause is not None and not pause.silent
    assert (pause.since, pause.reason) == (now, "OSError: disk full")
    assert pause.as_json() == {"since": now.isoformat(), "reason": "OSError: disk full"}
    db.call(clear_pause, name=LEASE, owner="a")
    assert db.call(delivery_pause, now=now + timedelta(seconds=2)) is None


def test_a_worker_that_stopped_renewing_its_lease_counts_as_paused_since_its_last_word(
    db: Database,
) -> None:
    then = utcnow() - timedelta(minutes=5)
    db.call(acquire_lease, name=LEASE, owner="a", now=then, lease=timedelta(seconds=30))
    assert db.call(delivery_pause, now=then + SILENT_AFTER - timedelta(seconds=1)) is None
    pause = db.call(delivery_pause, now=utcnow())
    assert pause is not None and pause.silent and pause.since == then
    assert "lease" in pause.reason
