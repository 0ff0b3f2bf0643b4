"""Background loops: start one with the application, stop it with it.

A loop calls its step, sleeps, and calls it again; an exception in one step is logged with its
traceback and the loop goes on, so one bad minute never stops tomorrow's reminders.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.edge.context import BotApplication

logger = logging.getLogger(__name__)

Step = Callable[[BotApplication], Awaitable[object]]
_TASKS = "background_loops"


async def _run(app: BotApplication, name: str, step: Step, every: float) -> None:
    while True:
        try:
            await step(app)
        except Exception:
            logger.exception("background loop %s failed; it goes on", name)
        await asyncio.sleep(every)


def start_loop(app: BotApplication, name: str, step: Step, *, every: float) -> None:
    """Run `step(app)` now and then every `every` seconds until `stop_loops`."""
    tasks: dict[str, asyncio.Task[None]] = app.bot_data.setdefault(_TASKS, {})
    tasks[name] = asyncio.create_task(_run(app, name, step, every), name=name)


async def stop_loops(app: BotApplication) -> None:
    """Cancel every loop started on `app` and wait for each to end."""
    tasks: dict[str, asyncio.Task[None]] = app.bot_data.pop(_TASKS, {})
    for task in tasks.values():
        task.cancel()
    for task in tasks.values():
        with contextlib.suppress(asyncio.CancelledError):
            await task
