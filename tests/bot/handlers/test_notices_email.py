"""E-mail in staff's chat: the /notice preview counts the addresses a notice reaches at once
and in digests, and /notices adds an e-mail line to a notice that went by e-mail."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from kernel.clock import utcnow
from tests.bot.handlers.test_notices import draft, wait_until
from tests.bot.mail.conftest import TWO_AT_ONCE_ONE_DAILY, add_subscribers
from tests.conftest import ADMIN_ID
from tests.harness import BotHarness

FIRM = 6301


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The test's settings, e-mails written under its own folder."""
    return settings.model_copy(update={"mail_drop_dir": tmp_path / "mail"})


async def test_the_preview_and_notices_count_the_email_recipients(
    bot: BotHarness, tmp_path: Path
) -> None:
    await bot.say(FIRM, "/start sub-rpc", language_code="en")
    bot.db.call(
        lambda session: add_subscribers(
            session,
            TWO_AT_ONCE_ONE_DAILY,
            codes=("rpc",),
            now=utcnow(),
        )
    )
    await draft(bot, ADMIN_ID, "rpc", "Forms", "New forms.")
    confirm = await bot.say(ADMIN_ID, "/skip", language_code="en", replies=3)
    assert "recipients: <b>1</b>" in confirm
    assert "E-mail recipients: <b>2</b> at once, and 1 more in their daily or weekly digest" in (
        confirm
    )
    await bot.press(ADMIN_ID, "notice:send", language_code="en")
    await wait_until(lambda: len(list((tmp_path / "mail").glob("*.eml"))) == 2)
    listing = await bot.say(ADMIN_ID, "/notices", language_code="en")
    assert "Forms" in listing and "2 by e-mail: " in listing
