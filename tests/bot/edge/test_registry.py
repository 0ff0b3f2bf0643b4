"""Features and their button prefixes: no two features share one, no button strays."""

from __future__ import annotations

import pytest
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.edge import registry
from bot.edge.access import ADMIN, STAFF, requires
from bot.edge.features import Command, Feature


async def _noop(update: object, context: object) -> None:
    """Does nothing; only its pattern matters here."""


def _feature(name: str, *prefixes: str) -> Feature:
    return Feature(name=name, register=lambda app: None, callback_prefixes=prefixes)


def test_two_features_claiming_one_prefix_are_refused() -> None:
    with pytest.raises(ValueError, match="'case' claimed by cases and reports"):
        registry.install([_feature("cases", "case"), _feature("reports", "rep", "case")])


def test_a_prefix_that_could_not_be_told_apart_is_refused() -> None:
    with pytest.raises(ValueError, match="not a-z"):
        registry.install([_feature("cases", "case:a")])


def test_a_button_pattern_outside_its_features_prefixes_is_refused() -> None:
    stray = CallbackQueryHandler(_noop, pattern=r"^notice:send$")
    with pytest.raises(ValueError, match="outside its declared prefixes"):
        registry.check_patterns(_feature("cases", "case"), [stray])


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")
def test_a_button_inside_a_conversation_is_checked_too() -> None:
    conversation = ConversationHandler(
        entry_points=[CommandHandler("x", _noop)],
        states={0: [CallbackQueryHandler(_noop, pattern=r"^ct:p:1$")]},
        fallbacks=[CallbackQueryHandler(_noop, pattern=r"^sub:")],
    )
    with pytest.raises(ValueError, match="'\\^sub:'"):
        registry.check_patterns(_feature("courtesy", "ct"), [conversation])
    registry.check_patterns(_feature("courtesy", "ct", "sub"), [conversation])


def test_a_button_handler_without_a_pattern_is_refused() -> None:
    with pytest.raises(ValueError, match="without a text pattern"):
        registry.check_patterns(_feature("cases", "case"), [CallbackQueryHandler(_noop)])


@requires(*STAFF)
async def _staff_only(update: object, context: object) -> None:
    """Checked for the staff roles."""


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBUserWarning")
def test_a_command_whose_handler_checks_other_roles_than_declared_is_refused() -> None:
    declared = Feature(name="notices", register=lambda app: None, commands=(Command("n", ADMIN),))
    conversation = ConversationHandler(
        entry_points=[CommandHandler("n", _staff_only)], states={}, fallbacks=[]
    )
    with pytest.raises(ValueError, match="/n is declared for .*admin.* but its handler"):
        registry.check_roles(declared, [conversation])
    unchecked = [CommandHandler("n", _noop)]
    with pytest.raises(ValueError, match="checks \\[\\]"):
        registry.check_roles(declared, unchecked)
    agreed = Feature(name="notices", register=lambda app: None, commands=(Command("n", STAFF),))
    registry.check_roles(agreed, [conversation])
