"""The delivery tests' worker: one on its own (no bot polling) against the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.delivery.worker import DeliveryWorker, worker_for
from storage.db import Database
from tests.conftest import TOKEN
from tests.fakes import FakeBotApi


def worker_on(db: Database, fake_api: FakeBotApi) -> DeliveryWorker:
    """A worker on its own (no bot polling) for `db`, at 50 messages a second."""
    return worker_for(
        db=db,
        token=TOKEN,
        base_url=fake_api.base_url,
        base_file_url=fake_api.base_file_url,
        rate=50,
        default_language="en",
        lease=timedelta(seconds=3),
    )


@pytest.fixture
async def worker(db: Database, fake_api: FakeBotApi) -> AsyncIterator[DeliveryWorker]:
    """A worker on its own (no bot polling), at 50 messages a second."""
    running = worker_on(db, fake_api)
    async with running.bot:
        running.start()
        yield running
        await running.stop()
