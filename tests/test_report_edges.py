"""/report at its edges: texts as long as Telegram allows."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Case
from tests.harness import BotHarness

FIRM = 7201


async def test_a_description_as_long_as_a_message_still_gets_its_summary_and_is_filed_whole(
    bot: BotHarness,
) -> None:
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:product", language_code="en", replies=2)
    await bot.say(FIRM, "S" * 600, language_code="en")
    await bot.say(FIRM, "W" * 600, language_code="en")
    description = "充電時外殼過熱變形。" * 400  # 4,000 characters
    await bot.say(FIRM, description, language_code="en")
    await bot.say(FIRM, "/skip", language_code="en")
    summary = await bot.say(FIRM, "🙈 Stay anonymous", language_code="en", replies=2)
    assert "Please check your report" in summary and "…" in summary
    filed = await bot.press(FIRM, "rep:submit", language_code="en")
    assert "Received as case" in filed
    stored = bot.db.call(lambda *, session: session.exec(select(Case)).one())  # type: ignore[misc]
    assert stored.description == description
