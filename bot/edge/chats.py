"""Private chats only. Everything the bot shows (a case card with a reporter's name, a role
list, a notice draft) is for the one person asking, so nothing of a group or channel reaches a
feature: /start and /help there get one line pointing to a private chat, a button one polite
answer, anything else nothing.

The bot does not stay in groups or channels. Added to one, it says that line and leaves; a
group it is still in (added before this rule) is left on its next update there. Staying
silent would also be safe, but a bot in a group invites staff to type commands where
everyone reads along, and a future feature that forgot this guard would post there.
"""

from __future__ import annotations

import logging

from telegram import Chat, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop, TypeHandler

from bot.edge.context import BotApplication, BotContext
from kernel.i18n import t
from storage.queries.people import fetch_person_view

logger = logging.getLogger(__name__)

GROUP = -10
"""Runs before everything else (people are loaded in group -1)."""
ANSWERED = frozenset({"start", "help"})
_JOINED = {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR}


def addressed_command(message: Message, bot_username: str) -> str | None:
    """The command a message starts with (`/help` or `/help@this_bot`), None for a plain text
    or a command addressed to another bot."""
    text = message.text or ""
    if not text.startswith("/"):
        return None
    name, _, target = text.split(maxsplit=1)[0][1:].partition("@")
    if target and target.lower() != bot_username.lower():
        return None
    return name.lower()


async def _private_only_line(update: Update, context: BotContext) -> str:
    """The line, in the person's chosen language when they have one."""
    user = update.effective_user
    if user is not None:
        context.telegram_language = user.language_code
        context.person = await context.services.db.run_read(fetch_person_view, telegram_id=user.id)
    return t(context.lang, "chats.private_only", bot=context.bot.username)


async def _leave(context: BotContext, chat: Chat) -> None:
    try:
        await context.bot.leave_chat(chat.id)
    except TelegramError as exc:  # already out, or never fully in
        logger.info("could not leave %s %s: %s", chat.type, chat.id, exc)
        return
    logger.info("left %s %s: the bot works in private chats only", chat.type, chat.id)


async def outside_private_chats(update: Update, context: BotContext) -> None:
    """In a group or channel: /start and /help get the private-chat line, a button one polite
    answer, the bot leaves; nothing reaches a feature."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        return
    change = update.my_chat_member
    if change is not None:
        if change.new_chat_member.status in _JOINED:
            if chat.type != ChatType.CHANNEL:
                try:
                    text = await _private_only_line(update, context)
                    await context.bot.send_message(chat.id, text)
                except TelegramError as exc:  # e.g. not allowed to post there
                    logger.info("could not say goodbye in %s %s: %s", chat.type, chat.id, exc)
            await _leave(context, chat)
        raise ApplicationHandlerStop
    if update.callback_query is not None:
        text = await _private_only_line(update, context)
        await update.callback_query.answer(text, show_alert=True)
    elif update.message is not None:
        if addressed_command(update.message, context.bot.username) in ANSWERED:
            text = await _private_only_line(update, context)
            await context.bot.send_message(chat.id, text)
    await _leave(context, chat)
    raise ApplicationHandlerStop


def register(app: BotApplication) -> None:
    app.add_handler(TypeHandler(Update, outside_private_chats), group=GROUP)
