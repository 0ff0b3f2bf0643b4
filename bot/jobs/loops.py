"""Background loops: start one with the application, stop it with it.

A loop calls its step, sleeps, and calls it again; an exception in a step never ends it. The
first failure is logged once with its cause and traceback, the failures after it only at DEBUG
(no flood while the database is down), each wait after a failure twice the one before (up to
MAX_BACKOFF, or the loop's own period if longer), and the recovery is logged once.
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
MAX_BACKOFF = 600.0


def cause(exc: BaseException) -> str:
    """The error's type and the first line of its message (for a database error, the driver's,
    without the SQL)."""
    orig = getattr(exc, "orig", None)
    root = orig if isinstance(orig, BaseException) else exc
    text = str(root).strip()
    first = text.splitlines()[0].strip() if text else ""
    return f"{type(root).__name__}: {first}" if first else type(root).__name__


def wait_after(failures: int, every: float) -> float:
    """The pause before the next try: `every`, doubled for each failure in a row but the first."""
    if failures == 0:
        return every
    return min(max(every, MAX_BACKOFF), every * 2 ** (failures - 1))


async def _run(app: BotApplication, name: str, step: Step, every: float) -> None:
    failures = 0
    while True:
        try:
            await step(app)
        except Exception as exc:
            failures += 1
            if failures == 1:
                logger.error(
                    "background loop %s failed: %s; it goes on, trying less often",
                    name,
                    cause(exc),
                    exc_info=exc,
                )
            else:
                logger.debug("background loop %s failed again (%s): %s", name, failures, exc)
        else:
            if failures:
                logger.info("background loop %s works again after %s failures", name, failures)
            failures = 0
        await asyncio.sleep(wait_after(failures, every))


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
