"""Reminders of firms' open needs: every ten minutes, those due now are written to the outbox.

Which are due, in office hours only, and the key that keeps one from being written (so sent)
twice, are the visits domain's (`bot/visits/reminders.py`); the delivery worker sends, retries
and records them.
"""

from __future__ import annotations

from datetime import datetime

from bot.edge.context import BotApplication, Services
from bot.visits.reminders import enqueue_due_reminders
from kernel.clock import utcnow

CHECK_EVERY = 600.0


async def run_once(services: Services, now: datetime) -> int:
    """Write every need reminder due at `now`; returns the rows written."""
    return await services.db.run(
        enqueue_due_reminders,
        now=now,
        tz=services.tz,
        default_language=services.settings.default_language,
    )


async def step(app: BotApplication) -> None:
    """One check (the application runs this every ten minutes)."""
    await run_once(app.bot_data["services"], utcnow())
