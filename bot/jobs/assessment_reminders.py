"""Self-assessment deadline reminders: checked hourly from 08:00 on working days; the
secretariat is told 20, 10 and 3 working days before a period's publication deadline while the
period is unpublished. Which reminders are due is the domain's (`bot/assessment/reminders.py`);
each is claimed in the database before it is sent, so a restart never sends one twice, and
released again if sending failed (not blocked), so the next check retries it."""

from __future__ import annotations

import logging
from datetime import date, time

from bot.assessment import reminders
from bot.edge.context import BotApplication, Services
from bot.edge.sending import Sent, send_or_mark_blocked
from kernel.clock import utcnow
from kernel.i18n import t
from kernel.reporting import format_day

logger = logging.getLogger(__name__)

CHECK_EVERY = 3600.0
REMIND_FROM = time(8, 0)


async def send_reminders(app: BotApplication, today: date) -> int:
    """Send today's deadline reminders, each at most once; returns the messages sent."""
    services: Services = app.bot_data["services"]
    default = services.settings.default_language
    sent = 0
    for due in await services.db.run(reminders.due_today, today=today):
        for telegram_id in due.recipients:
            key = due.key(telegram_id)
            if not await services.db.run(reminders.claim, key=key):
                continue
            lang = due.languages.get(telegram_id, default)
            roc = lang == "zh-TW"
            text = t(
                lang,
                "assessment.remind",
                period=due.period.label(lang, roc=roc),
                deadline=format_day(due.period.deadline, lang, roc=roc),
                left=due.working_days_left,
                scored=due.scored,
                units=due.units,
                code=due.period.code,
            )
            outcome = await send_or_mark_blocked(app.bot, services.db, telegram_id, text)
            if outcome == Sent.FAILED:
                await services.db.run(reminders.release, key=key)
            sent += outcome == Sent.SENT
    return sent


async def step(app: BotApplication) -> None:
    """One hourly check; nothing before 08:00 (a later check sends)."""
    now = utcnow().astimezone(app.bot_data["services"].tz)
    if now.time() >= REMIND_FROM:
        await send_reminders(app, now.date())
