"""What a feature module offers the application: commands, deep links, handlers, start-up."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from telegram import Update

from bot.edge.context import BotApplication, BotContext
from storage.models import Role

DeepLink = Callable[[Update, BotContext, str], Awaitable[Any]]


@dataclass(frozen=True)
class Command:
    """A slash command: who may use it (None: everyone) and its catalogue key for /help."""

    name: str
    roles: frozenset[Role] | None = None

    @property
    def description_key(self) -> str:
        return f"commands.{self.name}"

    def visible_to(self, roles: frozenset[Role]) -> bool:
        return self.roles is None or bool(self.roles & roles)

    @property
    def for_firms(self) -> bool:
        return self.roles is None


@dataclass
class Feature:
    """One feature module's contributions; `register` adds its handlers to the application."""

    name: str
    register: Callable[[BotApplication], None]
    commands: tuple[Command, ...] = ()
    deep_links: dict[str, DeepLink] = field(default_factory=dict)
    callback_prefixes: tuple[str, ...] = ()
    """Every button this feature makes carries `<prefix>:…` with one of these; no two features
    share one (checked when the application is built)."""


def roles(*names: Role) -> frozenset[Role]:
    return frozenset(names)
