"""E-mail in staff's chat: the /notice preview counts the addresses a notice reaches at once
and in digests, and /notices adds an e-mail line to a notice that went by e-mail."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from bot.settings import Settings
from kernel.clock import utcnow
from storage.queries import mail as mail_q
from storage.queries import notices as notices_q
from tests.bot.handlers.test_notices import draft, wait_until
from tests.conftest import ADMIN_ID
from tests.harness import BotHarness

FIRM = 6301


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The test's settings, e-mails written under its own folder."""
    return settings.model_copy(update={"mail_drop_dir": tmp_path / "mail"})


def add_addresses(bot: BotHarness, code: str) -> None:
    """Two addresses that get each notice of `code` at once, one a daily digest."""

    def add(session: Session) -> None:
        [category] = [c for c in notices_q.fetch_categories(session=session) if c.code == code]
        assert category.id is not None
        for address, frequency in (
            ("a@example.com", "immediately"),
            ("b@example.com", "immediately"),
            ("c@example.com", "daily"),
        ):
            mail_q.save_subscriber(
                session=session,
                address=address,
                language="en",
                frequency=frequency,
                category_ids=[category.id],
                now=utcnow(),
            )

    bot.db.call(add)


async def test_the_preview_and_notices_count_the_email_recipients(
    bot: BotHarness, tmp_path: Path
) -> None:
    await bot.say(FIRM, "/start sub-rpc", language_code="en")
    add_addresses(bot, "rpc")
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
