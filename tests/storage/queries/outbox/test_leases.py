"""storage/queries/outbox/leases.py on a real database."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from storage.db import Database
from storage.models import DeliveryPause, WorkerLease
from storage.queries.outbox.leases import (
    acquire_lease,
    clear_pause,
    fetch_pauses,
    fetch_silent_leases,
    record_pause,
    release_lease,
)
from tests.storage.queries.outbox.rows import NOW

LEASE = timedelta(seconds=90)
NAME = "delivery:123456"


def take(db: Database, owner: str, at: timedelta = timedelta(0)) -> bool:
    return db.call(acquire_lease, name=NAME, owner=owner, now=NOW + at, lease=LEASE)


def test_one_owner_holds_the_lease_until_it_lapses_or_is_released(db: Database) -> None:
    assert take(db, "first")
    assert take(db, "first", timedelta(seconds=30))  # renewed
    assert not take(db, "second", timedelta(seconds=60))  # fresh: 30 s ago
    with db.transaction() as session:
        lease = session.get(WorkerLease, NAME)
        assert lease is not None
        assert (lease.owner, lease.acquired_at) == ("first", NOW)
        assert lease.heartbeat_at == NOW + timedelta(seconds=30)
    assert take(db, "second", timedelta(seconds=121))  # lapsed: 91 s unrenewed
    with db.transaction() as session:
        lease = session.get(WorkerLease, NAME)
        assert lease is not None
        assert (lease.owner, lease.acquired_at) == ("second", NOW + timedelta(seconds=121))
    db.call(release_lease, name=NAME, owner="first")  # not its lease: nothing happens
    assert not take(db, "first", timedelta(seconds=122))
    db.call(release_lease, name=NAME, owner="second")
    assert take(db, "first", timedelta(seconds=123))


def test_a_pause_is_recorded_only_by_the_holder_and_shown_while_it_holds(db: Database) -> None:
    assert take(db, "first")
    db.call(record_pause, name=NAME, owner="other", since=NOW, reason="not the holder")
    assert db.call(fetch_pauses) == []
    db.call(record_pause, name=NAME, owner="first", since=NOW, reason="disk I/O error")
    db.call(record_pause, name=NAME, owner="first", since=NOW, reason="r" * 300)
    (pause,) = db.call(fetch_pauses)
    assert (pause.owner, pause.since, pause.reason) == ("first", NOW, "r" * 255)
    db.call(release_lease, name=NAME, owner="first")
    assert db.call(fetch_pauses) == []  # its worker no longer holds the lease
    db.call(clear_pause, name=NAME, owner="first")
    with db.transaction() as session:
        assert session.get(DeliveryPause, NAME) is None


def test_silent_delivery_leases_are_those_not_renewed_since_a_time(db: Database) -> None:
    assert take(db, "first")

    def other_lease(session: Session) -> None:
        session.add(WorkerLease(name="reports", owner="x", acquired_at=NOW, heartbeat_at=NOW))

    db.call(other_lease)
    assert db.call(fetch_silent_leases, heard_before=NOW) == []
    (silent,) = db.call(fetch_silent_leases, heard_before=NOW + timedelta(seconds=1))
    assert silent.name == NAME
