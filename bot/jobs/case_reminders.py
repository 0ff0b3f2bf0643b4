"""Case reminders: every minute, claim the reminders due now and send them.

Which reminders are due, and the claim that keeps one from going out twice, are the cases
domain's (`bot/cases/reminders.py`); this job sends them and releases the claim of a message
that failed, so the next check tries it again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import Bot

from bot.cases.reminders import claim_due_reminders
from bot.edge.context import BotApplication, Services
from bot.edge.sending import Sent
from bot.handlers.case_news import send_notice
from kernel.clock import utcnow
from storage.queries.cases import release_reminder

logger = logging.getLogger(__name__)

CHECK_EVERY = 60.0


async def run_reminders_once(bot: Bot, services: Services, now: datetime) -> int:
    """Claim and send every reminder due at `now`; returns how many messages went out."""
    settings = services.settings
    reminders = await services.db.run(
        claim_due_reminders,
        now=now,
        tz=settings.tz,
        counting=settings.case_day_counting,
        default_language=settings.default_language,
    )
    sent = 0
    for reminder in reminders:
        outcome = await send_notice(bot, services, reminder.notice)
        if outcome == Sent.FAILED:  # released, so the next check tries it again
            await services.db.run(release_reminder, key=reminder.key)
        sent += outcome == Sent.SENT
    return sent


async def step(app: BotApplication) -> None:
    """One check: every reminder due now goes out (the application runs this every minute)."""
    services: Services = app.bot_data["services"]
    await run_reminders_once(app.bot, services, utcnow().astimezone(services.tz))
