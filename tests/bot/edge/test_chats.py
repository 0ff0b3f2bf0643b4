"""Private chats only: in a group the bot answers /start and /help with one line pointing to a
private chat, ignores everything else (a secretary's /case shows nothing there), answers a
button once, and leaves a group it is added to."""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from storage.models import Role
from tests.factories import file_on, person
from tests.fakes import BOT_USER, FakeBotApi
from tests.harness import BotHarness

GROUP = -4_000_123
SECRETARY = 8101
REPORTER = 8102
REPORTER_NAME = "陳雅婷"
REPORTER_PHONE = "0912000111"
PRIVATE_LINE = "only in a private chat"
PRIVATE_LINE_ZH = "私人對話"


def say_in_group(fake: FakeBotApi, user_id: int, text: str, language_code: str = "en") -> None:
    """`user_id` writes `text` in GROUP (the fake builds it as a private message; the chat is
    then moved to the group, as Telegram sends a group message)."""
    update = fake.make_text_update(user_id, text, language_code=language_code)
    update["message"]["chat"] = {"id": GROUP, "type": "group", "title": "Inspectors' chat"}
    fake.inject(update)


def added_to_group(fake: FakeBotApi, by: int) -> dict[str, Any]:
    """`by` adds the bot to GROUP (a my_chat_member update, as Telegram sends it)."""
    bot_user = dict(BOT_USER)
    return fake.inject(
        {
            "my_chat_member": {
                "chat": {"id": GROUP, "type": "group", "title": "Inspectors' chat"},
                "from": {"id": by, "is_bot": False, "first_name": "Lin"},
                "date": int(time.time()),
                "old_chat_member": {"status": "left", "user": bot_user},
                "new_chat_member": {"status": "member", "user": bot_user},
            }
        }
    )


def group_texts(bot: BotHarness) -> list[str]:
    return [m.get("text") or "" for m in bot.fake.sent(GROUP)]


async def wait_for_group_line(bot: BotHarness, count: int) -> None:
    await bot.wait_until(
        lambda: sum(PRIVATE_LINE in text for text in group_texts(bot)) >= count,
        what=f"{count} private-chat line(s) in the group",
    )


async def test_a_secretarys_case_command_in_a_group_shows_nothing_of_the_case(
    bot: BotHarness,
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    reporter = person(bot.db, REPORTER, name=REPORTER_NAME)
    filed = file_on(
        bot.db, date(2026, 11, 2), reporter=reporter, contact=(REPORTER_NAME, REPORTER_PHONE)
    )
    say_in_group(bot.fake, SECRETARY, f"/case {filed.number}")
    say_in_group(bot.fake, SECRETARY, "/cases")
    say_in_group(bot.fake, SECRETARY, "/start")
    # The group's updates are handled in order: after /start's answer, /case was handled.
    await wait_for_group_line(bot, 1)
    texts = group_texts(bot)
    assert len(texts) == 1, texts
    everything = " ".join(str(call.params) for call in bot.fake.calls())
    assert REPORTER_NAME not in everything and REPORTER_PHONE not in everything
    assert filed.number not in texts[0]


async def test_start_and_help_in_a_group_get_the_private_chat_line(bot: BotHarness) -> None:
    say_in_group(bot.fake, SECRETARY, "/start", language_code="en")
    say_in_group(bot.fake, SECRETARY, f"/help@{BOT_USER['username']}", language_code="en")
    say_in_group(bot.fake, SECRETARY, "/start@another_bot", language_code="en")
    say_in_group(bot.fake, SECRETARY, "hello everyone")
    say_in_group(bot.fake, SECRETARY, "/privacy")
    say_in_group(bot.fake, SECRETARY, "/start", language_code="zh-hant")
    await bot.wait_until(
        lambda: any(PRIVATE_LINE_ZH in text for text in group_texts(bot)),
        what="the private-chat line in Chinese",
    )
    texts = group_texts(bot)
    assert len(texts) == 3, texts
    assert PRIVATE_LINE in texts[0] and PRIVATE_LINE in texts[1]
    assert f"@{BOT_USER['username']}" in texts[0]


async def test_a_button_pressed_in_a_group_is_answered_once_and_does_nothing(
    bot: BotHarness,
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    say_in_group(bot.fake, SECRETARY, "/start")
    await wait_for_group_line(bot, 1)
    press = bot.fake.press_button(SECRETARY, "roles:page:2", chat_id=GROUP, language_code="en")
    say_in_group(bot.fake, SECRETARY, "/start")
    await wait_for_group_line(bot, 2)
    query_id = press["callback_query"]["id"]
    answers = [
        call
        for call in bot.fake.calls("answerCallbackQuery")
        if str(call.params.get("callback_query_id")) == query_id
    ]
    assert len(answers) == 1 and answers[0].ok, bot.fake.dump()
    assert PRIVATE_LINE in answers[0].params.get("text", "")
    assert bot.fake.calls("editMessageText") == []


async def test_the_bot_leaves_a_group_it_is_added_to(bot: BotHarness) -> None:
    added_to_group(bot.fake, SECRETARY)
    await bot.fake.async_wait_for("leaveChat", chat_id=GROUP)
    assert any(PRIVATE_LINE_ZH in text or PRIVATE_LINE in text for text in group_texts(bot))
