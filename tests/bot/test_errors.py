"""An unexpected error reaches the person as one sentence in their language, never a traceback,
and it is the only answer to the update that failed."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, TypeHandler

from bot.edge.context import BotContext
from bot.handlers.cases.acting import PENDING
from tests.harness import BotHarness

USER = 6001
SORRY = "Sorry, something went wrong on our side"
PRIVACY = "Personal Data Protection Act, Art. 8"


async def boom(update: object, context: object) -> None:
    """A handler that fails."""
    raise RuntimeError("database exploded")


async def replies_until_privacy(bot: BotHarness, user_id: int, before: int) -> list[str]:
    """Ask for /privacy and wait for its answer: the bot handles one chat's updates in order, so
    by then every earlier update of this chat is finished. Returns the texts sent after
    `before`, the privacy notice included."""
    bot.fake.send_text(user_id, "/privacy", language_code="en")
    await bot.fake.async_wait_for(
        lambda call: call.method == "sendMessage" and PRIVACY in (call.text or ""),
        chat_id=user_id,
    )
    return [m.get("text", "") for m in bot.fake.sent(user_id)[before:]]


async def test_an_unexpected_error_is_one_sentence_in_the_persons_language(
    bot: BotHarness,
) -> None:
    assert bot.app is not None
    bot.app.add_handler(CommandHandler("boom", boom), group=-2)
    await bot.say(USER, "/language", language_code="zh-hant")
    await bot.press(USER, "lang:en", language_code="zh-hant")
    before = len(bot.fake.sent(USER))
    bot.fake.send_text(USER, "/boom", language_code="zh-hant")
    replies = await replies_until_privacy(bot, USER, before)
    assert len(replies) == 2, replies  # the error sentence, then the privacy notice
    reply = replies[0]
    assert reply.startswith(SORRY)
    assert "Traceback" not in reply and "exploded" not in reply


async def test_a_person_whose_loading_fails_gets_only_the_error_sentence(
    bot: BotHarness,
) -> None:
    assert bot.app is not None
    failing = {"on": True}

    async def flaky_load(update: Update, context: BotContext) -> None:
        """Fails once, as a database that is briefly away would."""
        if failing.pop("on", False):
            raise RuntimeError("database away")

    bot.app.add_handler(TypeHandler(Update, flaky_load), group=-2)
    before = len(bot.fake.sent(USER))
    bot.fake.send_text(USER, "/start", language_code="en")
    replies = await replies_until_privacy(bot, USER, before)
    assert len(replies) == 2, replies
    assert replies[0].startswith(SORRY)


async def test_a_failing_command_still_ends_a_wait_for_a_text(bot: BotHarness) -> None:
    assert bot.app is not None

    async def start_wait(update: Update, context: BotContext) -> None:
        """Open a wait for a text, as a case action button does."""
        assert update.callback_query is not None and context.user_data is not None
        context.user_data[PENDING] = ["note", 1, 2**31]
        await update.callback_query.answer()

    bot.app.add_handler(CommandHandler("boom", boom), group=-2)
    # Under a declared prefix: the edge answers any other as a stale button before group -2.
    bot.app.add_handler(CallbackQueryHandler(start_wait, pattern="^lang:test-wait$"), group=-2)
    await bot.say(USER, "/language", language_code="en")
    bot.fake.press_button(USER, "lang:test-wait", language_code="en")
    await bot.fake.async_wait_for("answerCallbackQuery")
    assert PENDING in bot.app.user_data[USER]
    bot.fake.send_text(USER, "/boom", language_code="en")
    # A button (not a command, which would end the wait itself) marks when /boom is finished.
    bot.fake.press_button(USER, "lang:en", language_code="en")
    await bot.fake.async_wait_for("editMessageText", chat_id=USER)
    assert bot.fake.last_text(USER) == "Language set to English."
    assert any(SORRY in (m.get("text") or "") for m in bot.fake.sent(USER))
    assert PENDING not in bot.app.user_data[USER]
