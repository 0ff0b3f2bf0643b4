"""Recurring duty reminders: checked hourly from 08:00 on working days; the owner unit's staff
and the secretariat are told 10 and 3 working days before a duty is due and on the day. Which
reminders are due is the domain's (`bot/duties/reminders.py`); each is written to the outbox
once per recipient (a unique key on the row) in the transaction that finds it, so a restart
never sends one twice; the delivery worker sends, retries and records it."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel import Session

from bot.duties import reminders
from bot.edge.context import BotApplication, Services
from kernel.clock import utcnow
from kernel.reporting import format_day
from storage.models.notices import NoticeKind
from storage.queries.outbox.texts import enqueue_reminder

CHECK_EVERY = 3600.0
REMIND_FROM = time(8, 0)


def enqueue_reminders(session: Session, *, today: date, default: str, now: datetime) -> int:
    """Write today's duty reminders to the outbox, each at most once; returns the rows
    written."""
    written = 0
    for due in reminders.due_today(session=session, today=today):
        for person in due.recipients:
            lang = person.language or default
            zh = lang == "zh-TW"
            written += enqueue_reminder(
                session=session,
                kind=NoticeKind.DUTY_REMINDER.value,
                key="duties.remind_today" if due.days == 0 else "duties.remind",
                values={
                    "id": due.occurrence_id,
                    "title": due.title_zh if zh else due.title_en,
                    "unit": due.unit_zh if zh else due.unit_en,
                    "due": format_day(due.due_on, lang, roc=zh),
                    "days": due.days,
                },
                chat_id=person.telegram_id,
                once_key=due.key(person.telegram_id),
                now=now,
            )
    return written


async def send_reminders(app: BotApplication, today: date) -> int:
    """Write today's duty reminders to the outbox; returns the rows written."""
    services: Services = app.bot_data["services"]
    return await services.db.run(
        enqueue_reminders, today=today, default=services.settings.default_language, now=utcnow()
    )


async def step(app: BotApplication) -> None:
    """One hourly check; nothing before 08:00 (a later check sends)."""
    now = utcnow().astimezone(app.bot_data["services"].tz)
    if now.time() >= REMIND_FROM:
        await send_reminders(app, now.date())
