"""Courtesy-test reminders: inspectors of today's calls and of results soon due, the
secretariat of overdue results. Checked hourly from 08:00; each goes out once a day, claimed in
the database first, so a restart never sends one twice."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, time

from bot.edge.context import BotApplication
from bot.edge.sending import Sent, send_or_mark_blocked
from bot.handlers.contact import public_day
from courtesy import reminders
from kernel.clock import utcnow
from kernel.i18n import Markup, t
from storage.db import Database
from storage.queries.courtesy import TestView

logger = logging.getLogger(__name__)

CHECK_EVERY = 3600.0
REMIND_FROM = time(8, 0)  # local time; the first calls of a day are at 08:30


async def _remind(
    app: BotApplication, *, kind: str, day: date, telegram_id: int, text: str
) -> bool:
    """Send one reminder at most once a day: claimed first, released again if sending fails
    for a reason other than a blocked bot (so the next hourly check retries it)."""
    services = app.bot_data["services"]
    db: Database = services.db
    if not await db.run(reminders.claim, kind=kind, day=day, recipient=telegram_id):
        return False
    outcome = await send_or_mark_blocked(app.bot, db, telegram_id, text)
    if outcome == Sent.FAILED:  # released, so the next hourly check retries it
        await db.run(reminders.release, kind=kind, day=day, recipient=telegram_id)
    return outcome == Sent.SENT


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


async def send_reminders(app: BotApplication, today: date) -> int:
    """Remind inspectors of today's calls and, three working days before results are due, of
    the calls still to score; give the secretariat the overdue list. Each at most once a day,
    each in its recipient's saved language (else the default). Returns the messages sent."""
    services = app.bot_data["services"]
    db: Database = services.db
    default = services.settings.default_language
    agenda = await db.run(reminders.agenda, today=today)
    languages, late = agenda.languages, agenda.late
    sent = 0
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
        text = t(lang, "courtesy.remind.calls", lines=Markup(lines))
        sent += await _remind(app, kind="calls", day=today, telegram_id=telegram_id, text=text)
    for telegram_id, views in sorted(agenda.due.items()):
        lang = languages.get(telegram_id, default)
        text = t(
            lang,
            "courtesy.remind.due",
            due=public_day(views[0].due_on, lang),
            lines=Markup(_result_lines(lang, views)),
        )
        sent += await _remind(app, kind="due", day=today, telegram_id=telegram_id, text=text)
    for telegram_id in agenda.secretariat:
        lang = languages.get(telegram_id, default)
        text = t(lang, "courtesy.remind.overdue", lines=Markup(_result_lines(lang, late[:50])))
        if len(late) > 50:
            text += "\n" + t(lang, "courtesy.remind.more", count=len(late) - 50)
        sent += await _remind(app, kind="overdue", day=today, telegram_id=telegram_id, text=text)
    return sent


async def step(app: BotApplication) -> None:
    """One hourly check; nothing before 08:00 (the next check sends)."""
    now = utcnow().astimezone(app.bot_data["services"].tz)
    if now.time() >= REMIND_FROM:
        await send_reminders(app, now.date())
