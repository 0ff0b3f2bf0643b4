"""The worker is woken by what is written, not by a timer: a commit in this process wakes it at
once, and on PostgreSQL so does one in another process (NOTIFY in the writing transaction);
its own look at the outbox, with nothing written, comes only every 30 s there."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.delivery.worker import DeliveryWorker, worker_for
from storage.db import Database
from tests.bot.delivery.broadcasts import add_subscribers, copies, publish
from tests.conftest import TOKEN
from tests.fakes import FakeBotApi

FIRM = 8901
IDLE = 30.0
"""The worker's own look while idle: a copy within a few seconds was woken, not polled."""


@pytest.fixture
async def sleepy(db: Database, fake_api: FakeBotApi) -> AsyncIterator[DeliveryWorker]:
    worker = worker_for(
        db=db,
        token=TOKEN,
        base_url=fake_api.base_url,
        base_file_url=fake_api.base_file_url,
        rate=50,
        default_language="en",
        lease=timedelta(seconds=90),
    )
    worker.idle_poll = IDLE
    async with worker.bot:
        worker.start()
        yield worker
        await worker.stop()


async def first_copy_after(fake: FakeBotApi, title: str, committed: float) -> float:
    await fake.async_wait_until(lambda: copies(fake, FIRM, title) == 1, timeout=IDLE / 2)
    (call,) = [c for c in fake.calls("sendMessage", chat_id=FIRM) if title in (c.text or "")]
    return call.at - committed


async def test_a_commit_in_this_process_wakes_the_idle_worker(
    db: Database, fake_api: FakeBotApi, sleepy: DeliveryWorker
) -> None:
    add_subscribers(db, [FIRM])
    await fake_api.async_wait_until(lambda: sleepy.holding, timeout=10)
    await asyncio.sleep(1.0)  # idle: its first look is done, the next one is 30 s away
    publish(db, "Woken here")
    assert await first_copy_after(fake_api, "Woken here", time.monotonic()) < IDLE / 3


async def test_a_commit_in_another_process_wakes_it_on_postgresql(
    db: Database, fake_api: FakeBotApi, sleepy: DeliveryWorker
) -> None:
    if db.backend != "postgresql":
        pytest.skip("NOTIFY is PostgreSQL's; on SQLite the idle look is every second")
    add_subscribers(db, [FIRM])
    await fake_api.async_wait_until(lambda: sleepy.holding, timeout=10)
    await asyncio.sleep(1.0)
    other = Database(db.url)  # no listener of the worker's: only NOTIFY can wake it
    try:
        publish(other, "Woken from elsewhere")
        committed = time.monotonic()
    finally:
        other.dispose()
    assert await first_copy_after(fake_api, "Woken from elsewhere", committed) < IDLE / 3
