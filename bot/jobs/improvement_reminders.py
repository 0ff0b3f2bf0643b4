"""Improvement-action reminders: checked hourly from 08:00 on working days; the owner unit's
inspectors are told of an action three working days before its due date and once it is
overdue. Which are due is the domain's (`bot/surveys/improvements.py`); each is written to the
outbox once per action, due date and recipient (a unique key on the row) in the transaction
that finds it, so a restart never sends one twice; the delivery worker sends it."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel import Session

from bot.edge.context import BotApplication, Services
from bot.surveys.improvements import item_name, reminders_due
from kernel.clock import utcnow
from kernel.i18n import Markup, t
from storage.models.notices import NoticeKind
from storage.queries.outbox.texts import enqueue_reminder

CHECK_EVERY = 3600.0
REMIND_FROM = time(8, 0)
KIND = NoticeKind.IMPROVEMENT_REMINDER.value


def enqueue_reminders(session: Session, *, today: date, default: str, now: datetime) -> int:
    """Write today's improvement reminders to the outbox, each at most once, in each
    recipient's saved language (else the default); returns the rows written."""
    written = 0
    for reminder in reminders_due(session, today=today):
        lang = reminder.language or default
        action = reminder.view.improvement
        line = t(
            lang,
            "improvements.remind.line",
            id=reminder.view.id,
            survey=action.survey_id,
            item=item_name(
                reminder.view.question_code,
                reminder.view.question_zh,
                reminder.view.question_en,
                lang,
            ),
            plan=action.plan[:300],
        )
        written += enqueue_reminder(
            session=session,
            kind=KIND,
            key=f"improvements.remind.{reminder.which}",
            values={"due": action.due_on, "lines": Markup(line)},
            chat_id=reminder.chat_id,
            once_key=reminder.once_key,
            now=now,
        )
    return written


async def send_reminders(app: BotApplication, today: date) -> int:
    """Write today's improvement reminders to the outbox; returns the rows written."""
    services: Services = app.bot_data["services"]
    return await services.db.run(
        enqueue_reminders, today=today, default=services.settings.default_language, now=utcnow()
    )


async def step(app: BotApplication) -> None:
    """One hourly check; nothing before 08:00 (a later check sends)."""
    now = utcnow().astimezone(app.bot_data["services"].tz)
    if now.time() >= REMIND_FROM:
        await send_reminders(app, now.date())
