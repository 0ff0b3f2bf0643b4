"""A background loop outlives a failing step and stops with the application."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace
from typing import Any

import pytest

from bot.jobs.loops import start_loop, stop_loops


async def test_a_step_that_raises_is_logged_and_the_loop_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app: Any = SimpleNamespace(bot_data={})
    calls: list[int] = []
    third = asyncio.Event()

    async def step(_app: Any) -> None:
        calls.append(len(calls))
        if len(calls) == 3:
            third.set()
        if len(calls) == 1:
            raise RuntimeError("database locked")

    start_loop(app, "test-loop", step, every=0.01)
    async with asyncio.timeout(10):
        await third.wait()
    await stop_loops(app)
    assert "background loop test-loop failed" in caplog.text
    assert "database locked" in caplog.text
    stopped_at = len(calls)
    await asyncio.sleep(0.05)
    assert len(calls) == stopped_at and app.bot_data == {}


async def test_a_step_that_keeps_failing_is_logged_once_and_retried_ever_later(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    app: Any = SimpleNamespace(bot_data={})
    loop = asyncio.get_running_loop()
    tried: list[float] = []
    recovered = asyncio.Event()
    every = 0.05

    async def step(_app: Any) -> None:
        tried.append(loop.time())
        if len(tried) <= 5:
            raise RuntimeError("database is locked")
        recovered.set()

    start_loop(app, "flaky", step, every=every)
    async with asyncio.timeout(30):
        await recovered.wait()
    await stop_loops(app)
    failures = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(failures) == 1, [r.getMessage() for r in failures]  # once, not every try
    assert "background loop flaky failed" in failures[0].getMessage()
    assert "RuntimeError: database is locked" in failures[0].getMessage()
    assert any("flaky works again" in r.getMessage() for r in caplog.records)
    gaps = [later - earlier for earlier, later in zip(tried, tried[1:], strict=False)]
    for n, gap in enumerate(gaps[:5]):  # each wait after a failure twice the one before
        assert gap >= every * 2**n * 0.95, gaps
