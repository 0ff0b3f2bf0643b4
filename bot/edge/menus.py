"""Telegram command menus: firms see theirs by default, staff get theirs per chat scope."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.edge.registry import visible_commands
from kernel.i18n import LANGUAGES, t
from storage.models import Role

logger = logging.getLogger(__name__)


def menu(roles: frozenset[Role], language: str) -> list[BotCommand]:
    return [BotCommand(c.name, t(language, c.description_key)) for c in visible_commands(roles)]


async def set_default_menus(bot: Bot, default_language: str) -> None:
    """Firms' commands for everyone, in the default language and in English for `en` users."""
    await bot.set_my_commands(menu(frozenset(), default_language), scope=BotCommandScopeDefault())
    for language in LANGUAGES:
        await bot.set_my_commands(
            menu(frozenset(), language),
            scope=BotCommandScopeDefault(),
            language_code=language.split("-")[0],
        )


async def set_menu_for(bot: Bot, chat_id: int, roles: frozenset[Role], language: str) -> None:
    """The menu for a person's private chat: their roles' commands, or back to the firms'
    default when they hold none; never fails the caller."""
    scope = BotCommandScopeChat(chat_id)
    try:
        if roles:
            await bot.set_my_commands(menu(roles, language), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except TelegramError as exc:
        logger.warning("could not set the command menu for chat %s: %s", chat_id, exc)
