"""The bot token never appears in logs, whatever the level."""

from __future__ import annotations

import logging

import pytest

from bot.edge.logs import install_redaction
from tests.conftest import TOKEN
from tests.harness import BotHarness


async def test_the_token_is_absent_from_logs_at_debug(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    install_redaction(TOKEN)
    for name in ("", "httpx", "httpcore", "telegram"):
        caplog.set_level(logging.DEBUG, logger=name)
    await bot.say(4001, "/start")
    await bot.say(4001, "/help")
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "getUpdates" in text or "sendMessage" in text  # requests were logged at all
    assert TOKEN not in text
    assert TOKEN.split(":")[1] not in text
