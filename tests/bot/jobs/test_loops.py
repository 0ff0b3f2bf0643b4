"""A background loop outlives a failing step and stops with the application."""

from __future__ import annotations

import asyncio
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
