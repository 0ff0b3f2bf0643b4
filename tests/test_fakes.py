"""The fake Bot API answers python-telegram-bot's real HTTP layer the way Telegram does."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
)
from telegram.ext import (
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)

from tests.fakes import DEFAULT_TOKEN, FakeBotApi, FakeBotApiProcess

USER = 4201


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    """A fake Bot API with default settings."""
    with FakeBotApi() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    """A real python-telegram-bot Bot talking to the fake."""
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as tg:
        yield tg


@pytest.fixture
def timedelta_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let RetryAfter carry a timedelta instead of warning about the int it used to carry."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


def _post(url: str, body: dict[str, Any], *, form: bool = False) -> tuple[int, dict[str, Any]]:
    """POST a JSON or form-encoded body with the standard library; return status and JSON."""
    if form:
        data = urllib.parse.urlencode(body).encode()
        content_type = "application/x-www-form-urlencoded"
    else:
        data = json.dumps(body).encode()
        content_type = "application/json"
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


async def test_get_me_returns_the_test_bot(bot: Bot, fake: FakeBotApi) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (4242, True, "bsmi_desk_test_bot")
    assert me.can_join_groups is True
    assert fake.calls("getMe")[0].ok


async def test_sent_message_is_a_real_message_with_its_keyboard(
    bot: Bot, fake: FakeBotApi
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("訂閱", callback_data="sub:1")]])
    first = await bot.send_message(USER, "你好", reply_markup=keyboard)
    second = await bot.send_message(USER, "again")
    assert first.chat.id == USER and first.chat.type == "private"
    assert first.from_user is not None and first.from_user.id == 4242
    assert first.text == "你好" and first.entities == ()
    assert first.reply_markup == keyboard
    assert second.message_id == first.message_id + 1
    assert fake.buttons(first) == [("訂閱", "sub:1")]
    assert fake.button_data(USER, "訂閱") == "sub:1"
    assert [m["text"] for m in fake.sent(USER)] == ["你好", "again"]


async def test_edit_returns_the_edited_message_and_refuses_an_identical_edit(
    bot: Bot, fake: FakeBotApi
) -> None:
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("OK", callback_data="ok")]])
    sent = await bot.send_message(USER, "draft", reply_markup=keyboard)
    edited = await bot.edit_message_text(
        "final", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard
    )
    assert isinstance(edited, type(sent))
    assert edited.text == "final" and edited.edit_date is not None
    assert edited.reply_markup == keyboard
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text(
            "final", chat_id=USER, message_id=sent.message_id, reply_markup=keyboard
        )
    without_keyboard = await bot.edit_message_text(
        "final", chat_id=USER, message_id=sent.message_id
    )
    assert without_keyboard.reply_markup is None
    with pytest.raises(BadRequest, match="(?i)message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    assert fake.last_text(USER) == "final"


async def test_injected_429_raises_retry_after_with_its_seconds(
    bot: Bot, fake: FakeBotApi, timedelta_mode: None
) -> None:
    fake.fail("sendMessage", chat_id=USER, status=429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "hello")
    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    await bot.send_message(USER, "hello")  # times=1: the next call goes through
    assert [c.status for c in fake.calls("sendMessage")] == [429, 200]
    assert fake.stats()["too_many_requests"] == 1


async def test_blocked_user_raises_forbidden_until_unblocked(bot: Bot, fake: FakeBotApi) -> None:
    fake.block(USER)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(USER, "hello")
    fake.unblock(USER)
    await bot.send_message(USER, "hello")
    assert fake.stats()["sent_by_chat"] == {USER: 1}


async def test_injected_errors_map_to_telegram_exceptions(bot: Bot, fake: FakeBotApi) -> None:
    fake.fail(status=400)
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(USER, "hello")
    fake.fail(status=403, times=2)
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(USER, "hello")
    fake.fail("getChat", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_chat(USER)
    assert (await bot.get_chat(USER)).first_name == "Test"


async def test_invalid_html_is_refused_like_telegram_does(bot: Bot) -> None:
    await bot.send_message(USER, "<b>粗體</b> &amp; <i>斜體</i>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(USER, "1 < 2", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(USER, "<b>open", parse_mode=ParseMode.HTML)


async def test_uploaded_document_can_be_read_back_and_downloaded(
    bot: Bot, fake: FakeBotApi
) -> None:
    content = "案件月報\n".encode() * 100
    message = await bot.send_document(USER, content, filename="report.csv", caption="月報")
    assert message.document is not None and message.caption == "月報"
    assert message.document.file_name == "report.csv"
    assert message.document.mime_type == "text/csv"
    assert fake.file_bytes(message.document.file_id) == content
    file = await bot.get_file(message.document.file_id)
    assert bytes(await file.download_as_bytearray()) == content


async def test_photos_and_media_groups_come_back_with_sizes(bot: Bot, fake: FakeBotApi) -> None:
    photo = await bot.send_photo(USER, b"\xff\xd8photo", caption="現場")
    assert len(photo.photo) == 3 and photo.caption == "現場"
    assert fake.file_bytes(photo.photo[-1].file_id) == b"\xff\xd8photo"
    album = await bot.send_media_group(
        USER, [InputMediaPhoto(b"one"), InputMediaPhoto(photo.photo[-1].file_id)]
    )
    assert len(album) == 2 and album[0].media_group_id == album[1].media_group_id
    assert fake.file_bytes(album[0].photo[-1].file_id) == b"one"
    assert album[1].photo == photo.photo


async def test_registered_and_user_sent_files_download_through_get_file(
    bot: Bot, fake: FakeBotApi
) -> None:
    fake.add_file("registered-1", b"hello", file_path="documents/hello.txt")
    file = await bot.get_file("registered-1")
    assert file.file_path == f"{fake.base_file_url}{fake.token}/documents/hello.txt"
    assert bytes(await file.download_as_bytearray()) == b"hello"
    update = Update.de_json(fake.send_document(USER, "收據.pdf", b"%PDF-1.4"), bot)
    assert update.message is not None and update.message.document is not None
    assert update.message.document.mime_type == "application/pdf"
    received = await bot.get_file(update.message.document.file_id)
    assert bytes(await received.download_as_bytearray()) == b"%PDF-1.4"
    with pytest.raises(BadRequest, match="(?i)invalid file_id"):
        await bot.get_file("nope")


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


async def test_enforced_per_chat_limit_answers_429_and_does_not_deliver(
    timedelta_mode: None,
) -> None:
    with FakeBotApi(enforce_limits=True, per_chat_rate=1.0) as fake:
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            await bot.send_message(USER, "one")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(USER, "two")
            await bot.send_message(USER + 1, "other chat is fine")
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    stats = fake.stats()
    assert stats["too_many_requests"] == 1
    assert stats["sent_by_chat"] == {USER: 1, USER + 1: 1}
    assert [m["text"] for m in fake.sent(USER)] == ["one"]


async def test_wrong_token_and_unknown_method_are_refused(bot: Bot, fake: FakeBotApi) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=fake.base_url):
            pass
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("frobnicate", api_kwargs={"chat_id": USER})
    assert fake.calls("frobnicate")[0].status == 404


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


def test_wait_for_times_out_with_a_dump_of_the_last_calls(fake: FakeBotApi) -> None:
    status, body = _post(f"{fake.base_url}{fake.token}/sendMessage", {"chat_id": 1, "text": "x"})
    assert status == 200 and body["result"]["text"] == "x"
    assert fake.wait_for("sendMessage", timeout=0.1)[0].params == {"chat_id": 1, "text": "x"}
    with pytest.raises(AssertionError, match=r"(?s)2 x sendMessage.*sendMessage chat=1 -> 200"):
        fake.wait_for("sendMessage", count=2, timeout=0.1)


def test_form_encoded_parameters_are_json_decoded_except_free_text(fake: FakeBotApi) -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    form = {"chat_id": "7", "text": "123", "reply_markup": json.dumps(markup)}
    status, body = _post(f"{fake.base_url}{fake.token}/sendmessage", form, form=True)
    assert status == 200
    assert body["result"]["text"] == "123" and body["result"]["reply_markup"] == markup
    assert fake.calls("sendMessage")[0].params == {
        "chat_id": 7,
        "text": "123",
        "reply_markup": markup,
    }
    status, body = _post(f"{fake.base_url}wrong/getMe", {})
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})


def test_process_mode_prints_ready_and_serves_stats_over_http() -> None:
    with FakeBotApiProcess(send_delay=0.05) as process:
        assert process.port > 0
        url = f"{process.base_url}{DEFAULT_TOKEN}/sendMessage"
        started = time.monotonic()
        for text in ("one", "one", "two"):
            assert _post(url, {"chat_id": 5, "text": text})[0] == 200
        assert time.monotonic() - started >= 0.15  # the send delay
        process.fail("sendMessage", status=429, retry_after=2)
        status, body = _post(url, {"chat_id": 5, "text": "three"})
        assert status == 429 and body["parameters"] == {"retry_after": 2}
        stats = process.stats()
        assert stats["sent_by_chat"] == {5: 3} and stats["delivered"] == 3
        assert stats["duplicates"] == 1 and stats["too_many_requests"] == 1
        assert stats["first_delivery_at"] < stats["last_delivery_at"]
        update = process.send_text(5, "/help")
        assert update["message"]["entities"][0]["length"] == 5
        assert [c["method"] for c in process.calls("sendMessage")] == ["sendMessage"] * 4
        process.reset()
        assert process.stats()["delivered"] == 0
