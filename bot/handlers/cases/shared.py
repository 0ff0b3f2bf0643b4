"""What the case handlers share: the button prefix, a case number in button data, the
branch's date today and a pressed button's parts."""

from __future__ import annotations

import re
from datetime import date

from telegram import Update

from bot.cases.filing import NUMBER_PATTERN
from bot.edge.context import BotContext
from kernel.clock import utcnow

PREFIX = "case"
NUMBER = f"({NUMBER_PATTERN})"


def local_today(context: BotContext) -> date:
    return utcnow().astimezone(context.services.tz).date()


def pressed(update: Update, pattern: re.Pattern[str]) -> tuple[str, ...]:
    """The groups of a button's data; the handler was chosen by this very pattern."""
    query = update.callback_query
    assert query is not None and query.data is not None
    match = pattern.fullmatch(query.data)
    assert match is not None
    return match.groups()
