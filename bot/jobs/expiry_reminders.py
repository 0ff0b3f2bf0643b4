"""Certificate expiry reminders: every minute, release the reminders due now into the outbox.

Which reminders are due and what becomes of each is the notices domain's
(`bot/notices/expiry.py`); this job runs it in one transaction a pass, so a reminder's state
change and its outbox rows are written together: a restart between two passes, or in the
middle of one (the transaction is rolled back), never sends a reminder twice or loses one. The
delivery worker then sends the rows, paced and retried like notices.
"""

from __future__ import annotations

import logging
from datetime import datetime

from bot.edge.context import BotApplication, Services
from bot.notices.expiry import Released, release_due_reminders
from kernel.clock import utcnow

logger = logging.getLogger(__name__)

CHECK_EVERY = 60.0


async def run_once(services: Services, now: datetime) -> Released:
    """Release every reminder due at `now` (nothing outside office hours)."""
    released = await services.db.run(release_due_reminders, now=now, tz=services.settings.tz)
    if released != Released():
        logger.info("expiry reminders: %s", released)
    return released


async def step(app: BotApplication) -> None:
    """One check (the application runs this every minute)."""
    services: Services = app.bot_data["services"]
    await run_once(services, utcnow())
