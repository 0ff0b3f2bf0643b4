"""What the courtesy handlers share: the feature's callback prefix, the branch's date today
and who is acting."""

from __future__ import annotations

from datetime import date, datetime

from telegram import Update

from bot.edge.context import BotContext
from kernel.clock import utcnow

PREFIX = "ct"
MESSAGE_LIMIT = 4000  # Telegram takes 4096 characters a message


def local_today(context: BotContext) -> date:
    return utcnow().astimezone(context.services.tz).date()


def local_now(context: BotContext) -> datetime:
    """Now in the branch's time zone, the zone the calls are scheduled in."""
    return utcnow().astimezone(context.services.tz)


def person_id(context: BotContext) -> int:
    assert context.person is not None
    return context.person.id


def actor(update: Update) -> int | None:
    """The Telegram user id of whoever sent the update."""
    return update.effective_user.id if update.effective_user else None
