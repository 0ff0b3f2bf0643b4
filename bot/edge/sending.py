"""Sending one message to a person outside a conversation (reminders, case news, lists).

The one rule every such send follows: a 403 means the person blocked the bot, so they are marked
blocked and nothing more is sent to them; any other Telegram error is logged and reported back,
so the caller can release its claim and try again later.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import Any

from telegram import Bot
from telegram.error import Forbidden, TelegramError

from storage.db import Database
from storage.queries.people import set_blocked

logger = logging.getLogger(__name__)


class Sent(StrEnum):
    """What became of one message."""

    SENT = "sent"
    BLOCKED = "blocked"  # 403: the person blocked the bot; now marked blocked
    FAILED = "failed"  # any other Telegram error: worth another try later


async def send_or_mark_blocked(
    bot: Bot, db: Database, chat_id: int, text: str, *, reply_markup: Any = None
) -> Sent:
    """Send `text` to `chat_id`.

    On 403 the person is marked blocked; on any other Telegram error the failure is logged
    once, without a traceback. The caller decides whether a failure is retried.
    """
    try:
        await bot.send_message(chat_id, text, reply_markup=reply_markup)
    except Forbidden:
        logger.info("chat %s blocked the bot; marked blocked", chat_id)
        await db.run(set_blocked, telegram_id=chat_id, blocked=True)
        return Sent.BLOCKED
    except TelegramError as exc:
        logger.warning("could not message chat %s: %s", chat_id, exc)
        return Sent.FAILED
    return Sent.SENT
