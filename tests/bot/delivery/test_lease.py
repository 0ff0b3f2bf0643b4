"""The lease that keeps one worker per bot token (`bot/delivery/lease.py`): named by the bot's
id, never its secret; taken by one owner at a time, renewed, taken over only once it ran out;
trusted only while surely fresh; freed at once by a clean stop; a worker that loses it stops."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest
from sqlmodel import update

from bot.delivery.lease import DEFAULT_LEASE, Lease, lease_name
from bot.delivery.worker import DeliveryWorker, worker_for
from bot.notices.status import delivery_pause
from kernel.clock import utcnow
from storage.db import Database
from storage.models import WorkerLease
from storage.queries.outbox.leases import record_pause
from tests.bot.delivery.broadcasts import add_subscribers, publish, wait_done
from tests.bot.delivery.conftest import worker_on
from tests.conftest import TOKEN
from tests.fakes import FakeBotApi

NAME = lease_name(TOKEN)


def owner_of(db: Database, name: str = NAME) -> str | None:
    with db.transaction() as session:
        row = session.get(WorkerLease, name)
        return None if row is None else row.owner


def test_the_lease_is_named_by_the_bots_id_never_its_secret() -> None:
    assert lease_name(TOKEN) == "delivery:123456"
    assert TOKEN.split(":", 1)[1] not in lease_name(TOKEN)


def test_a_renewed_lease_is_trusted_until_a_sixth_of_it_is_left() -> None:
    lease = Lease(NAME, timedelta(seconds=6))
    assert not lease.held and not lease.confirmed(0.0)
    lease.renewed(100.0)  # loop times: renewed in a transaction begun at 100 s
    assert lease.held
    assert lease.confirmed(100.0) and lease.confirmed(104.9)
    assert not lease.confirmed(105.0)  # a renewal may still be on its way: nothing is sent
    assert lease.renewed_ago(103.0) == pytest.approx(3.0)


def test_a_look_renews_the_lease_once_half_its_renewal_interval_has_passed() -> None:
    lease = Lease(NAME, DEFAULT_LEASE)  # 90 s, renewed every 30 s
    lease.renewed(0.0)
    assert not lease.renew_on_look(10.0)
    assert lease.renew_on_look(15.5)


async def test_one_owner_at_a_time_and_a_clean_stop_frees_it_at_once(db: Database) -> None:
    first, second = Lease(NAME, DEFAULT_LEASE), Lease(NAME, DEFAULT_LEASE)
    assert first.owner != second.owner
    assert await first.renew(db)
    assert not await second.renew(db) and not second.held
    assert await first.renew(db)  # its own lease is renewed, not refused
    assert owner_of(db) == first.owner
    await db.run(first.let_go)
    assert owner_of(db) is None
    assert await second.renew(db)  # no need to wait for it to run out
    assert owner_of(db) == second.owner


async def test_a_lease_that_ran_out_is_taken_over_and_its_old_owner_refused(
    db: Database,
) -> None:
    length = timedelta(seconds=0.5)
    crashed, successor = Lease(NAME, length), Lease(NAME, length)
    assert await crashed.renew(db)
    assert not await successor.renew(db)
    # a sleep is never shorter than asked, so the lease has surely run out after it
    await asyncio.sleep(length.total_seconds() + 0.2)
    assert await successor.renew(db)
    assert not await crashed.renew(db) and not crashed.held


async def test_a_clean_stop_leaves_no_pause_recorded(db: Database) -> None:
    lease = Lease(NAME, DEFAULT_LEASE)
    assert await lease.renew(db)
    db.call(record_pause, name=NAME, owner=lease.owner, since=utcnow(), reason="OSError: away")
    assert db.call(delivery_pause, now=utcnow()) is not None
    await db.run(lease.let_go)
    assert db.call(delivery_pause, now=utcnow()) is None


async def test_a_worker_that_loses_its_lease_stops_and_leaves_the_new_owners_alone(
    db: Database, fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    worker = worker_on(db, fake_api)  # a 3 s lease: renewed within a second or two
    add_subscribers(db, [6701])
    async with worker.bot:
        running = asyncio.create_task(worker.run())
        await wait_done(db, publish(db, "Before the loss"))
        assert worker.holding

        def taken_over(session) -> None:  # type: ignore[no-untyped-def]
            session.execute(
                update(WorkerLease)
                .where(WorkerLease.name == NAME)  # type: ignore[arg-type]
                .values(owner="another worker", heartbeat_at=utcnow() + timedelta(hours=1))
            )

        db.call(taken_over)
        worker.wake()  # its next look renews the lease on the way
        await asyncio.wait_for(running, timeout=30)  # run() returns by itself
    assert not worker.holding
    assert any("was lost; stopping" in r.getMessage() for r in caplog.records)
    assert owner_of(db) == "another worker"  # a stop does not free another owner's lease


async def test_a_second_worker_waits_while_the_first_holds_the_lease(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker
) -> None:
    second = worker_for(
        db=db,
        token=TOKEN,
        base_url=fake_api.base_url,
        base_file_url=None,
        rate=50,
        default_language="en",
        lease=timedelta(seconds=3),
    )
    async with second.bot:
        second.start()
        add_subscribers(db, list(range(5500, 5530)))
        notice_id = publish(db, "One worker only")
        await wait_done(db, notice_id)
        assert not second.holding
        assert second.sent_count == 0 and worker.sent_count == 30
        await second.stop()
    assert fake_api.stats()["duplicates"] == 0
