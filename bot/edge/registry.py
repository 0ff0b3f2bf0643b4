"""The installed features: their commands (for /help and menus) and deep-link handlers."""

from __future__ import annotations

import re
from typing import Any

from telegram.ext import BaseHandler, CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.edge.features import Command, DeepLink, Feature
from storage.models import Role

_features: list[Feature] = []


def install(features: list[Feature]) -> None:
    """Make `features` the application's features (called by build_application).

    Refuses two features that claim the same callback-data prefix: a button of one would be
    taken by the other's handler."""
    owner: dict[str, str] = {}
    for feature in features:
        for prefix in feature.callback_prefixes:
            if not re.fullmatch(r"[a-z][a-z.]{0,15}", prefix):
                raise ValueError(f"{feature.name}: callback prefix {prefix!r} is not a-z and dots")
            if prefix in owner:
                raise ValueError(
                    f"callback prefix {prefix!r} claimed by {owner[prefix]} and {feature.name}"
                )
            owner[prefix] = feature.name
    _features[:] = features


def check_patterns(feature: Feature, handlers: list[BaseHandler[Any, Any, Any]]) -> None:
    """Every button handler `feature` registered matches only its own declared prefixes."""
    for pattern in _callback_patterns(handlers):
        match = re.match(r"\^([a-z][a-z.]*)(?::|\$)", pattern)
        if match is None or match.group(1) not in feature.callback_prefixes:
            raise ValueError(
                f"{feature.name}: button pattern {pattern!r} is outside its declared "
                f"prefixes {feature.callback_prefixes}"
            )


def check_roles(feature: Feature, handlers: list[BaseHandler[Any, Any, Any]]) -> None:
    """Every handler of a staff command `feature` declares checks exactly the roles the
    declaration names (`requires(*STAFF)` for `Command("notice", STAFF)`), so /help, the menus
    and the server-side check cannot disagree about who may use it."""
    declared = {c.name: c.roles for c in feature.commands if c.roles is not None}
    for handler in _flatten(handlers):
        if not isinstance(handler, CommandHandler):
            continue
        for name in handler.commands & declared.keys():
            checked = getattr(handler.callback, "required_roles", None)
            if checked != declared[name]:
                raise ValueError(
                    f"{feature.name}: /{name} is declared for {sorted(declared[name])} but its "
                    f"handler {handler.callback.__name__} checks {sorted(checked or ())}"
                )


def _flatten(handlers: list[BaseHandler[Any, Any, Any]]) -> list[BaseHandler[Any, Any, Any]]:
    found: list[BaseHandler[Any, Any, Any]] = []
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            nested = [*handler.entry_points, *handler.fallbacks]
            for state in handler.states.values():
                nested.extend(state)
            found.extend(_flatten(nested))
        else:
            found.append(handler)
    return found


def _callback_patterns(handlers: list[BaseHandler[Any, Any, Any]]) -> list[str]:
    found: list[str] = []
    for handler in handlers:
        if isinstance(handler, ConversationHandler):
            nested = [*handler.entry_points, *handler.fallbacks]
            for state in handler.states.values():
                nested.extend(state)
            found.extend(_callback_patterns(nested))
        elif isinstance(handler, CallbackQueryHandler):
            pattern = handler.pattern
            if pattern is None or not isinstance(pattern, re.Pattern | str):
                raise ValueError(f"a button handler without a text pattern: {handler.callback}")
            found.append(pattern.pattern if isinstance(pattern, re.Pattern) else pattern)
    return found


def features() -> list[Feature]:
    return list(_features)


def callback_prefixes() -> frozenset[str]:
    """Every button prefix an installed feature declared."""
    return frozenset(p for feature in _features for p in feature.callback_prefixes)


def visible_commands(roles: frozenset[Role]) -> list[Command]:
    """Every command a person holding `roles` may use, in feature order, no repeats."""
    seen: set[str] = set()
    found = []
    for feature in _features:
        for command in feature.commands:
            if command.name not in seen and command.visible_to(roles):
                seen.add(command.name)
                found.append(command)
    return found


def deep_links() -> dict[str, DeepLink]:
    links: dict[str, DeepLink] = {}
    for feature in _features:
        links.update(feature.deep_links)
    return links
