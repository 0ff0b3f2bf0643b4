"""The worker's life (`bot/delivery/service.py`): started with the application and stopped with
it (its lease freed at once), or served alone after the start-up check until SIGTERM."""

from __future__ import annotations

import asyncio
import signal

import pytest

from bot.delivery.service import WORKER_KEY, serve, stop_worker
from bot.delivery.worker import DeliveryWorker, lease_name
from bot.settings import Settings
from kernel.errors import UserError
from storage.db import Database
from storage.models import WorkerLease
from tests.bot.delivery.broadcasts import add_subscribers, copies, publish, wait_done
from tests.conftest import TOKEN
from tests.fakes import FakeBotApi
from tests.harness import BotHarness

NAME = lease_name(TOKEN)


def lease_owner(db: Database) -> str | None:
    with db.transaction() as session:
        row = session.get(WorkerLease, NAME)
        return None if row is None else row.owner


async def test_the_application_starts_the_worker_and_stopping_frees_its_lease_at_once(
    bot: BotHarness,
) -> None:
    assert bot.app is not None
    worker = bot.app.bot_data[WORKER_KEY]
    assert isinstance(worker, DeliveryWorker)
    await bot.fake.async_wait_until(lambda: worker.holding, timeout=10)
    assert lease_owner(bot.db) == worker.lease.owner
    await stop_worker(bot.app)
    assert WORKER_KEY not in bot.app.bot_data
    assert not worker.holding and lease_owner(bot.db) is None  # a successor need not wait
    await stop_worker(bot.app)  # stopping again (as post_shutdown does) is harmless


async def test_serving_alone_stops_at_a_refused_token_before_touching_the_database(
    settings: Settings, db: Database
) -> None:
    with FakeBotApi(token="654321:ANOTHER-bot-token-abcdefghijklm") as other_bot:
        refused = settings.model_copy(update={"telegram_base_url": other_bot.base_url})
        with pytest.raises(UserError) as caught:
            await serve(refused)
    assert caught.value.key == "startup.token_refused"
    assert lease_owner(db) is None


async def test_serving_alone_delivers_until_sigterm_then_frees_the_lease(
    settings: Settings, db: Database, fake_api: FakeBotApi
) -> None:
    add_subscribers(db, [7601])
    served = asyncio.create_task(serve(settings, lease_seconds=3))
    try:
        await fake_api.async_wait_until(lambda: lease_owner(db) is not None, timeout=20)
        notice_id = publish(db, "Served alone")  # another process's commit, as it were
        await wait_done(db, notice_id, timeout=30)
        assert copies(fake_api, 7601, "Served alone") == 1
        signal.raise_signal(signal.SIGTERM)
        await asyncio.wait_for(served, timeout=30)
    finally:
        if not served.done():
            served.cancel()
    assert lease_owner(db) is None
