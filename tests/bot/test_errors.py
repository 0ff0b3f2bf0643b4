"""An unexpected error reaches the person as one sentence in their language, never a traceback."""

from __future__ import annotations

from telegram.ext import CommandHandler

from tests.harness import BotHarness

USER = 6001


async def boom(update: object, context: object) -> None:
    """A handler that fails."""
    raise RuntimeError("database exploded")


async def test_an_unexpected_error_is_one_sentence_in_the_persons_language(
    bot: BotHarness,
) -> None:
    assert bot.app is not None
    bot.app.add_handler(CommandHandler("boom", boom), group=-2)
    await bot.say(USER, "/language", language_code="zh-hant")
    await bot.press(USER, "lang:en", language_code="zh-hant")
    reply = await bot.say(USER, "/boom", language_code="zh-hant")
    assert reply.startswith("Sorry, something went wrong on our side")
    assert "Traceback" not in reply and "exploded" not in reply
