"""The question after a closed case: every minute, ask each reporter whose question is due.

What is due, and the row that keeps a case from being asked twice (also after a restart), are
the surveys domain's (`bot/surveys/followups.py`); the question goes out through the notice
outbox, so the delivery worker paces, retries and records it.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.edge.context import BotApplication, Services
from bot.surveys.followups import ask_due
from kernel.clock import utcnow

logger = logging.getLogger(__name__)

CHECK_EVERY = 60.0


async def run_case_surveys_once(services: Services, now: datetime) -> int:
    """Ask every case question due at `now`; returns how many were handed to the outbox."""
    asked = await services.db.run(ask_due, now=now, tz=services.tz)
    if asked:
        logger.info("asked %s reporter(s) about their closed case", asked)
    return asked


async def step(app: BotApplication) -> None:
    """One check (the application runs this every minute)."""
    services: Services = app.bot_data["services"]
    await run_case_surveys_once(services, utcnow())
