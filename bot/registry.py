"""The installed features: their commands (for /help and menus) and deep-link handlers."""

from __future__ import annotations

from bot.features import Command, DeepLink, Feature
from storage.models import Role

_features: list[Feature] = []


def install(features: list[Feature]) -> None:
    """Make `features` the application's features (called by build_application)."""
    _features[:] = features


def features() -> list[Feature]:
    return list(_features)


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
