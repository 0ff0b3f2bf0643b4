"""E-mail digests: every minute, write the daily and weekly digests due now to the outbox.

When one is due and what it covers are the mail domain's (`bot/mail/digests.py`); the digest
and its e-mail rows are written in one transaction, once per frequency and day, so a restart
never sends one twice; the mail sender composes, paces and records each e-mail."""

from __future__ import annotations

import logging

from bot.edge.context import BotApplication, Services
from bot.mail.digests import write_due_digests
from kernel.clock import utcnow

logger = logging.getLogger(__name__)

CHECK_EVERY = 60.0


async def step(app: BotApplication) -> None:
    """One check (the application runs this every minute)."""
    services: Services = app.bot_data["services"]
    written = await services.db.run(write_due_digests, now=utcnow(), tz=services.tz)
    if written:
        logger.info("e-mail digests written: %s", written)
