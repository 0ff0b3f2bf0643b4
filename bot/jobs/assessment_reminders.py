"""Self-assessment deadline reminders: checked hourly from 08:00 on working days; the
secretariat is told 20, 10 and 3 working days before a period's publication deadline while the
period is unpublished. Which reminders are due is the domain's (`bot/assessment/reminders.py`);
each is written to the outbox once per recipient (a unique key on the row) in the transaction
that finds it, so a restart never sends one twice; the delivery worker sends, retries and
records it."""

from __future__ import annotations

import logging
from datetime import date, datetime, time

from sqlmodel import Session

from bot.assessment import reminders
from bot.edge.context import BotApplication, Services
from kernel.clock import utcnow
from kernel.reporting import format_day
from storage.models.notices import NoticeKind
from storage.queries.outbox.texts import enqueue_reminder

logger = logging.getLogger(__name__)

CHECK_EVERY = 3600.0
REMIND_FROM = time(8, 0)


def enqueue_reminders(session: Session, *, today: date, default: str, now: datetime) -> int:
    """Write today's deadline reminders to the outbox, each at most once; returns the rows
    written."""
    written = 0
    for due in reminders.due_today(session=session, today=today):
        for telegram_id in due.recipients:
            lang = due.languages.get(telegram_id, default)
            roc = lang == "zh-TW"
            written += enqueue_reminder(
                session=session,
                kind=NoticeKind.ASSESSMENT_REMINDER.value,
                key="assessment.remind",
                values={
                    "period": due.period.label(lang, roc=roc),
                    "deadline": format_day(due.period.deadline, lang, roc=roc),
                    "left": due.working_days_left,
                    "scored": due.scored,
                    "units": due.units,
                    "code": due.period.code,
                },
                chat_id=telegram_id,
                once_key=due.key(telegram_id),
                now=now,
            )
    return written


async def send_reminders(app: BotApplication, today: date) -> int:
    """Write today's deadline reminders to the outbox; returns the rows written."""
    services: Services = app.bot_data["services"]
    return await services.db.run(
        enqueue_reminders, today=today, default=services.settings.default_language, now=utcnow()
    )


async def step(app: BotApplication) -> None:
    """One hourly check; nothing before 08:00 (a later check sends)."""
    now = utcnow().astimezone(app.bot_data["services"].tz)
    if now.time() >= REMIND_FROM:
        await send_reminders(app, now.date())
