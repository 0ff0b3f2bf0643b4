"""The per-update context: services shared by the application and the person acting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from telegram.ext import Application, CallbackContext, ExtBot

from bot.settings import Settings
from kernel.i18n import normalise_language
from storage.db import Database
from storage.queries.people import PersonView


@dataclass
class Services:
    """What every handler may use; built once in build_application."""

    settings: Settings
    db: Database

    @property
    def tz(self) -> ZoneInfo:
        return self.settings.tz

    @property
    def admin_ids(self) -> frozenset[int]:
        return frozenset(self.settings.admin_telegram_ids)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext plus `services`, `person` (loaded fresh for each update) and `lang`."""

    person: PersonView | None = None
    telegram_language: str | None = None

    @property
    def services(self) -> Services:
        services: Services = self.application.bot_data["services"]
        return services

    @property
    def lang(self) -> str:
        """The person's chosen language, else their Telegram language, else the default."""
        if self.person is not None and self.person.language:
            return self.person.language
        return normalise_language(self.telegram_language, self.services.settings.default_language)


BotApplication = Application[
    ExtBot[None], BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any
]
