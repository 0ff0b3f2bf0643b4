"""The Bot API methods answer python-telegram-bot's real HTTP layer the way Telegram does."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputMediaPhoto, Update
from telegram.error import BadRequest, EndPointNotFound, InvalidToken

from tests.fakes import FakeBotApi

USER = 4201


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


async def test_a_callback_query_is_answered_once_and_a_second_answer_is_refused(
    bot: Bot, fake: FakeBotApi
) -> None:
    first = Update.de_json(fake.press_button(USER, "ok:1"), bot).callback_query
    second = Update.de_json(fake.press_button(USER, "ok:1"), bot).callback_query
    assert first is not None and second is not None and first.id != second.id
    assert await first.answer()
    with pytest.raises(BadRequest, match="(?i)query is too old.*query ID is invalid"):
        await first.answer("again")
    assert await second.answer()  # each press is its own query, answerable once
    assert [c.status for c in fake.calls("answerCallbackQuery")] == [200, 400, 200]


async def test_an_answer_to_a_query_never_sent_is_refused(bot: Bot, fake: FakeBotApi) -> None:
    with pytest.raises(BadRequest, match="(?i)query is too old.*query ID is invalid"):
        await bot.answer_callback_query("4000000001")
    assert fake.calls("answerCallbackQuery")[0].status == 400


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


async def test_wrong_token_and_unknown_method_are_refused(bot: Bot, fake: FakeBotApi) -> None:
    with pytest.raises(InvalidToken):
        async with Bot("999:wrong", base_url=fake.base_url):
            pass
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("frobnicate", api_kwargs={"chat_id": USER})
    assert fake.calls("frobnicate")[0].status == 404


def test_form_encoded_parameters_are_json_decoded_except_free_text(
    fake: FakeBotApi, post: Callable[..., Any]
) -> None:
    markup = {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    form = {"chat_id": "7", "text": "123", "reply_markup": json.dumps(markup)}
    status, body = post(f"{fake.base_url}{fake.token}/sendmessage", form, form=True)
    assert status == 200
    assert body["result"]["text"] == "123" and body["result"]["reply_markup"] == markup
    assert fake.calls("sendMessage")[0].params == {
        "chat_id": 7,
        "text": "123",
        "reply_markup": markup,
    }
    status, body = post(f"{fake.base_url}wrong/getMe", {})
    assert (status, body) == (401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
