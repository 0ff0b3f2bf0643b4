"""A feature's commands: who sees them, which are the firms', and their /help text's key."""

from __future__ import annotations

from bot.application import features
from bot.edge.features import Command, Feature, roles
from kernel.i18n import LANGUAGES, catalogue
from storage.models import Role


def test_a_command_for_everyone_is_the_firms_and_visible_to_all() -> None:
    everyone = Command("help")
    assert everyone.for_firms
    assert everyone.visible_to(frozenset())
    assert everyone.visible_to(roles(Role.MONITOR))


def test_a_staff_command_is_visible_only_to_a_role_it_names() -> None:
    staff = Command("notice", roles(Role.ADMIN, Role.SECRETARIAT))
    assert not staff.for_firms
    assert not staff.visible_to(frozenset())
    assert not staff.visible_to(roles(Role.INSPECTOR, Role.MONITOR))
    assert staff.visible_to(roles(Role.MONITOR, Role.SECRETARIAT))


def test_roles_is_a_frozen_set_of_the_names_given() -> None:
    assert roles(Role.ADMIN, Role.ADMIN) == frozenset({Role.ADMIN})
    assert roles() == frozenset()


def test_a_feature_offers_nothing_unless_it_says_so() -> None:
    bare = Feature(name="bare", register=lambda app: None)
    assert (bare.commands, bare.deep_links, bare.callback_prefixes) == ((), {}, ())
    assert Feature(name="other", register=lambda app: None).deep_links is not bare.deep_links


def test_every_installed_command_has_its_help_text_in_both_languages() -> None:
    commands = [c for feature in features() for c in feature.commands]
    assert Command("help").description_key == "commands.help"
    assert commands
    for language in LANGUAGES:
        texts = catalogue(language)
        missing = [c.name for c in commands if c.description_key not in texts]
        assert missing == [], (language, missing)
