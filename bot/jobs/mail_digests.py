"""E-mail digests: every minute, write the daily and weekly digests due now to the outbox.

When one is due and what it covers are the mail domain's (`bot/mail/digests.py`); the digest
and its e-mail rows are written in one transaction, once per frequency and day, so a restart
never sends one twice; the mail sender composes, paces and records each e-mail."""

from __future__ import annotations

import logging

from bot.edge.context import BotApplication, Services
from bot.mail.digests import due, write_due_digests
from kernel.clock import utcnow

logger = logging.getLogger(__name__)

CHECK_EVERY = 60.0


DONE = "mail_digests_done"
"""`bot_data` key: the day this process last wrote (or found written) the day's digests."""


async def step(app: BotApplication) -> None:
    """One check (the application runs this every minute). It opens no transaction before
    08:30 or on a day off, nor again once the day's digests are written: an idle bot's
    database stays quiet."""
    services: Services = app.bot_data["services"]
    now = utcnow()
    local = now.astimezone(services.tz)
    if not due(local) or app.bot_data.get(DONE) == local.date():
        return
    written = await services.db.run(write_due_digests, now=now, tz=services.tz)
    app.bot_data[DONE] = local.date()
    if written:
        logger.info("e-mail digests written: %s", written)
