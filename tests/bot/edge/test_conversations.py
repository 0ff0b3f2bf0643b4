"""What every conversation shares: /cancel drops its state and says so (as a reply, or by
editing the button's message), a button of an ended conversation is answered as an alert, and
an edit that would change nothing is no error."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from telegram import Update
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
)

from bot.edge.context import BotContext
from bot.edge.conversations import (
    Callback,
    StaleCallback,
    cancel_handler,
    is_unchanged_edit,
    stale_button_handler,
    unchanged_is_fine,
)
from tests.fakes import Call
from tests.harness import BotHarness

USER = 6101
STATE = "test.draft"
CANCELLED = "已取消，公告未發送。"  # notice.cancelled, in the default language
STALE = "這份公告草稿已結束，請重新輸入 /notice。"  # notice.stale


def alone(callback: Callback | StaleCallback, returned: list[object] | None = None) -> Any:
    """`callback` run before every other handler, and the only one to answer its update; what
    it returns is added to `returned`."""

    async def run(update: Update, context: BotContext) -> None:
        """Keep a draft, run the callback, stop there."""
        assert context.user_data is not None
        context.user_data.setdefault(STATE, {"title": "draft"})
        result = await callback(update, context)
        if returned is not None:
            returned.append(result)
        raise ApplicationHandlerStop

    return run


def install(bot: BotHarness, handler: Any) -> None:
    assert bot.app is not None
    bot.app.add_handler(handler, group=-20)


def calls(bot: BotHarness, method: str) -> list[Call]:
    return bot.fake.calls(method, chat_id=USER)


def markup(call: Call) -> dict[str, Any]:
    value = call.params.get("reply_markup") or {}
    return json.loads(value) if isinstance(value, str) else value


async def test_cancel_drops_the_state_and_replies_removing_the_reply_keyboard(
    bot: BotHarness,
) -> None:
    cancel = cancel_handler(STATE, "notice.cancelled", remove_reply_keyboard=True)
    returned: list[object] = []
    install(bot, CommandHandler("zzcancel", alone(cancel, returned)))
    assert await bot.say(USER, "/zzcancel") == CANCELLED
    await bot.settle()
    assert bot.app is not None
    assert STATE not in bot.app.user_data[USER]
    assert returned == [ConversationHandler.END]
    assert markup(calls(bot, "sendMessage")[-1]) == {"remove_keyboard": True}
    assert cancel.__name__ == f"cancel_{STATE}"


async def test_a_cancel_button_is_answered_first_then_its_message_edited(
    bot: BotHarness,
) -> None:
    cancel = cancel_handler(STATE, "notice.cancelled", edit_button_message=True)
    install(bot, CallbackQueryHandler(alone(cancel), pattern="^lang:zz-cancel$"))
    await bot.say(USER, "/language")
    sent_before = len(calls(bot, "sendMessage"))
    assert await bot.press(USER, "lang:zz-cancel") == CANCELLED
    assert [c.method for c in bot.fake.calls(chat_id=USER)][-1] == "editMessageText"
    assert len(bot.fake.calls("answerCallbackQuery")) == 1
    assert len(calls(bot, "sendMessage")) == sent_before
    await bot.settle()
    assert bot.app is not None and STATE not in bot.app.user_data[USER]


async def test_a_cancel_button_whose_message_cannot_be_edited_sends_the_text(
    bot: BotHarness,
) -> None:
    cancel = cancel_handler(STATE, "notice.cancelled", edit_button_message=True)
    install(bot, CallbackQueryHandler(alone(cancel), pattern="^lang:zz-cancel$"))
    await bot.say(USER, "/language")
    bot.fake.fail(
        "editMessageText", status=400, description="Bad Request: message can't be edited"
    )
    assert await bot.press(USER, "lang:zz-cancel") == CANCELLED
    assert [c.status for c in calls(bot, "editMessageText")] == [400]
    assert calls(bot, "sendMessage")[-1].text == CANCELLED
    assert len(bot.fake.calls("answerCallbackQuery")) == 1


async def test_a_cancel_button_without_editing_sends_the_text_as_a_new_message(
    bot: BotHarness,
) -> None:
    cancel = cancel_handler(STATE, "notice.cancelled")
    install(bot, CallbackQueryHandler(alone(cancel), pattern="^lang:zz-cancel$"))
    await bot.say(USER, "/language")
    assert await bot.press(USER, "lang:zz-cancel") == CANCELLED
    assert calls(bot, "editMessageText") == []
    assert calls(bot, "sendMessage")[-1].text == CANCELLED
    assert markup(calls(bot, "sendMessage")[-1]) == {}


@pytest.mark.parametrize("remove_buttons", [False, True])
async def test_a_stale_button_is_answered_as_an_alert_and_logged(
    bot: BotHarness, caplog: pytest.LogCaptureFixture, remove_buttons: bool
) -> None:
    stale = stale_button_handler("notice.stale", remove_buttons=remove_buttons)
    install(bot, CallbackQueryHandler(alone(stale), pattern="^lang:zz-old"))
    await bot.say(USER, "/language")
    with caplog.at_level(logging.INFO, logger="bot.edge.conversations"):
        bot.fake.press_button(USER, "lang:zz-old")
        await bot.fake.async_wait_for("answerCallbackQuery")
        await bot.settle()
    answer = bot.fake.calls("answerCallbackQuery")[-1].params
    assert answer["text"] == STALE
    assert answer["show_alert"] in (True, "true", "True")
    assert any(
        "stale or unknown button 'lang:zz-old'" in r.getMessage() and str(USER) in r.getMessage()
        for r in caplog.records
    )
    edits = calls(bot, "editMessageReplyMarkup")
    assert len(edits) == (1 if remove_buttons else 0)
    assert stale.__name__ == "stale_notice_stale"


def test_an_edit_that_would_change_nothing_is_no_error() -> None:
    unchanged = BadRequest("Message is not modified: specified new message content is the same")
    assert is_unchanged_edit(unchanged)
    with unchanged_is_fine():
        raise unchanged


def test_other_refusals_are_still_errors() -> None:
    assert not is_unchanged_edit(BadRequest("Message to edit not found"))
    assert not is_unchanged_edit(Forbidden("not modified"))
    with pytest.raises(BadRequest, match="not found"), unchanged_is_fine():
        raise BadRequest("Message to edit not found")
