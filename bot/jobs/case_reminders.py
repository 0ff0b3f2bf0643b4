"""Case reminders: every minute, the reminders due now are written to the outbox; the
secretariat's overdue list carries the overdue recurring duties too (`bot.duties.reminders`).

Which reminders are due, and the key that keeps one from being written (so sent) twice, are the
cases domain's (`bot/cases/reminders.py`); the delivery worker sends, retries and records them.
"""

from __future__ import annotations

from datetime import datetime

from bot.cases.reminders import enqueue_due_reminders
from bot.duties.reminders import overdue_lines
from bot.edge.context import BotApplication, Services
from kernel.clock import utcnow

CHECK_EVERY = 60.0


async def run_reminders_once(services: Services, now: datetime) -> int:
    """Write every reminder due at `now` to the outbox; returns how many rows were written."""
    settings = services.settings
    return await services.db.run(
        enqueue_due_reminders,
        now=now,
        tz=settings.tz,
        counting=settings.case_day_counting,
        default_language=settings.default_language,
        more_overdue=lambda session, today, language: overdue_lines(
            session, today=today, language=language
        ),
    )


async def step(app: BotApplication) -> None:
    """One check: every reminder due now goes to the outbox (the application runs this every
    minute)."""
    services: Services = app.bot_data["services"]
    await run_reminders_once(services, utcnow().astimezone(services.tz))
