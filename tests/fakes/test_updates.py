"""What users do reaches the bot as the updates Telegram would send, through long polling."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import ApplicationBuilder, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.fakes import FakeBotApi

USER = 4201


async def test_long_poll_returns_as_soon_as_an_update_is_queued(
    bot: Bot, fake: FakeBotApi
) -> None:
    asyncio.get_running_loop().call_later(0.1, fake.send_text, USER, "/start ref-42")
    started = time.monotonic()
    updates = await bot.get_updates(timeout=5)
    assert time.monotonic() - started < 2
    message = updates[0].message
    assert message is not None and message.text == "/start ref-42"
    assert message.entities[0].type == "bot_command" and message.entities[0].length == 6
    assert message.from_user is not None and message.from_user.language_code == "zh-hant"
    assert await bot.get_updates(offset=updates[0].update_id + 1, timeout=0) == ()
    assert fake.stats()["pending_updates"] == 0


async def test_update_helpers_build_updates_python_telegram_bot_parses(
    bot: Bot, fake: FakeBotApi
) -> None:
    fake.send_contact(USER, "0912345678", "王小明")
    fake.send_photo(USER, caption="破損路燈")
    fake.chat_member_update(USER, "kicked")
    updates = await bot.get_updates(allowed_updates=Update.ALL_TYPES)
    contact, photo, member = (u for u in updates)
    assert contact.message is not None and contact.message.contact is not None
    assert contact.message.contact.user_id == USER
    assert contact.message.contact.phone_number == "0912345678"
    assert photo.message is not None and len(photo.message.photo) == 3
    assert member.my_chat_member is not None
    assert member.my_chat_member.new_chat_member.status == "kicked"
    assert member.my_chat_member.old_chat_member.status == "member"
    assert [u.update_id for u in updates] == sorted(u.update_id for u in updates)
    with pytest.raises(Forbidden):  # a user who kicked the bot can no longer be written to
        await bot.send_message(USER, "hello")


async def test_a_button_pressed_where_the_bot_never_wrote_still_comes_from_a_message(
    bot: Bot, fake: FakeBotApi
) -> None:
    update = Update.de_json(fake.press_button(USER, "roles.revoke:9"), bot)
    query = update.callback_query
    assert query is not None and query.data == "roles.revoke:9"
    assert query.message is not None and query.message.chat.id == USER
    assert await query.answer()
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await bot.answer_callback_query("not-a-query")


def test_a_made_text_update_is_not_queued(fake: FakeBotApi) -> None:
    update = fake.make_text_update(USER, "/help", language_code="en")
    assert update["message"]["from"]["language_code"] == "en"
    assert update["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 5}]
    assert fake.stats()["pending_updates"] == 0


async def test_application_polls_answers_start_and_handles_a_button(fake: FakeBotApi) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Reply with the payload and a button."""
        assert update.effective_message is not None
        button = InlineKeyboardButton("確認", callback_data=f"ok:{context.args[0]}")
        await update.effective_message.reply_text(
            f"payload {context.args[0]}", reply_markup=InlineKeyboardMarkup([[button]])
        )

    async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer the button and edit its message."""
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"confirmed {query.data}")

    app = (
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(confirm))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        fake.send_text(USER, "/start abc", first_name="小明")
        await fake.async_wait_for("sendMessage", chat_id=USER)
        assert fake.last_text(USER) == "payload abc"
        assert fake.sent(USER)[0]["chat"]["first_name"] == "小明"
        fake.click(USER, "確認")
        await fake.async_wait_for("editMessageText", chat_id=USER)
        assert fake.last_text(USER) == "confirmed ok:abc"
        assert fake.calls("answerCallbackQuery")[0].ok
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
