"""Command menus: firms' commands by default in each language, a staff member's own commands
in their private chat, the default again when they hold no role, and a refusal never fails."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.application import features
from bot.edge import registry
from bot.edge.menus import menu, set_default_menus, set_menu_for
from storage.models import Role
from tests.conftest import TOKEN
from tests.fakes import FakeBotApi

STAFF_CHAT = 7001


@pytest.fixture
async def telegram(fake_api: FakeBotApi) -> AsyncIterator[Bot]:
    """A bot on the fake Bot API, with the application's features installed."""
    registry.install(features())
    async with Bot(TOKEN, base_url=fake_api.base_url) as bot:
        yield bot


def names(commands: list[dict[str, str]]) -> list[str]:
    return [command["command"] for command in commands]


def test_a_menu_lists_the_commands_a_person_may_use_in_their_language() -> None:
    registry.install(features())
    firms = menu(frozenset(), "zh-TW")
    admins = menu(frozenset({Role.ADMIN}), "en")
    assert [c.command for c in firms][:2] == ["start", "help"]
    assert "invite" not in [c.command for c in firms]
    assert {"invite", "roles", "help"} <= {c.command for c in admins}
    described = {c.command: c.description for c in firms + admins}
    assert described["invite"] == "Create a role invite link (system administrators)"
    assert dict((c.command, c.description) for c in firms)["help"] == "列出可使用的指令"


async def test_the_default_menu_is_set_in_the_default_language_and_each_language(
    telegram: Bot, fake_api: FakeBotApi
) -> None:
    await set_default_menus(telegram, "zh-TW")
    calls = fake_api.calls("setMyCommands")
    assert [c.params.get("language_code") for c in calls] == [None, "zh", "en"]
    assert all(c.params["scope"] == {"type": "default"} for c in calls)
    assert calls[0].params["commands"] == calls[1].params["commands"]
    english = {c["command"]: c["description"] for c in calls[2].params["commands"]}
    assert english["help"] == "List the commands you can use"
    assert "invite" not in english


async def test_a_staff_member_gets_their_own_menu_and_loses_it_with_their_roles(
    telegram: Bot, fake_api: FakeBotApi
) -> None:
    await set_menu_for(telegram, STAFF_CHAT, frozenset({Role.ADMIN}), "en")
    (own,) = fake_api.calls("setMyCommands")
    assert own.params["scope"] == {"type": "chat", "chat_id": STAFF_CHAT}
    assert "roles" in names(own.params["commands"])
    await set_menu_for(telegram, STAFF_CHAT, frozenset(), "en")
    (deleted,) = fake_api.calls("deleteMyCommands")
    assert deleted.params["scope"] == {"type": "chat", "chat_id": STAFF_CHAT}


async def test_a_menu_telegram_refuses_is_logged_not_raised(
    telegram: Bot, fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    fake_api.fail("setMyCommands", status=400, description="Bad Request: chat not found")
    with caplog.at_level(logging.WARNING, logger="bot.edge.menus"):
        await set_menu_for(telegram, STAFF_CHAT, frozenset({Role.ADMIN}), "en")
    assert [c.status for c in fake_api.calls("setMyCommands")] == [400]
    assert f"could not set the command menu for chat {STAFF_CHAT}" in caplog.text
