"""Courtesy-test reminders: inspectors of today's calls and of results soon due, the
secretariat of overdue results. Checked hourly from 08:00; each is written to the outbox once a
day per recipient (a unique key on the row: kind, day, recipient), in the transaction that
finds it, so a restart never sends one twice; the delivery worker sends, retries and records
it."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime, time

from sqlmodel import Session

from bot.edge.contact import public_day
from bot.edge.context import BotApplication
from courtesy import reminders
from kernel.clock import utcnow
from kernel.i18n import Markup, t
from storage.db import Database
from storage.models.notices import NoticeKind
from storage.queries.courtesy import TestView
from storage.queries.outbox.texts import enqueue_reminder

logger = logging.getLogger(__name__)

CHECK_EVERY = 3600.0
REMIND_FROM = time(8, 0)  # local time; the first calls of a day are at 08:30
KIND = NoticeKind.COURTESY_REMINDER.value


def _result_lines(lang: str, views: Sequence[TestView]) -> str:
    return "\n".join(
        t(
            lang,
            "courtesy.remind.line",
            code=v.code,
            day=public_day(v.day, lang),
            unit=v.unit_name(lang),
            inspector=v.inspector_name,
            due=public_day(v.due_on, lang),
        )
        for v in views
    )


def enqueue_reminders(session: Session, *, today: date, default: str, now: datetime) -> int:
    """Write today's reminders to the outbox: inspectors of today's calls and, three working
    days before results are due, of the calls still to score; the secretariat's overdue list.
    Each at most once a day, each in its recipient's saved language (else the default).
    Returns the rows written."""
    agenda = reminders.agenda(session=session, today=today)
    languages, late = agenda.languages, agenda.late
    written = 0

    def remind(which: str, telegram_id: int, key: str, values: dict[str, object]) -> int:
        return enqueue_reminder(
            session=session,
            kind=KIND,
            key=key,
            values=values,
            chat_id=telegram_id,
            once_key=f"{which}:{today.isoformat()}:{telegram_id}",
            now=now,
        )

    for telegram_id, views in sorted(agenda.calls.items()):
        lang = languages.get(telegram_id, default)
        lines = "\n".join(
            t(
                lang,
                "courtesy.remind.call_line",
                code=v.code,
                time=v.at.strftime("%H:%M"),
                extension=v.extension,
                unit=v.unit_name(lang),
            )
            for v in sorted(views, key=lambda v: v.at)
        )
        written += remind("calls", telegram_id, "courtesy.remind.calls", {"lines": Markup(lines)})
    for telegram_id, views in sorted(agenda.due.items()):
        lang = languages.get(telegram_id, default)
        values: dict[str, object] = {
            "due": views[0].due_on,
            "lines": Markup(_result_lines(lang, views)),
        }
        written += remind("due", telegram_id, "courtesy.remind.due", values)
    for telegram_id in agenda.secretariat:
        lang = languages.get(telegram_id, default)
        lines = _result_lines(lang, late[:50])
        if len(late) > 50:
            lines += "\n" + t(lang, "courtesy.remind.more", count=len(late) - 50)
        written += remind(
            "overdue", telegram_id, "courtesy.remind.overdue", {"lines": Markup(lines)}
        )
    return written


async def send_reminders(app: BotApplication, today: date) -> int:
    """Write today's reminders to the outbox (`enqueue_reminders`); returns the rows written."""
    services = app.bot_data["services"]
    db: Database = services.db
    return await db.run(
        enqueue_reminders, today=today, default=services.settings.default_language, now=utcnow()
    )


async def step(app: BotApplication) -> None:
    """One hourly check; nothing before 08:00 (the next check sends)."""
    now = utcnow().astimezone(app.bot_data["services"].tz)
    if now.time() >= REMIND_FROM:
        await send_reminders(app, now.date())
