"""Firms in chat: /subscribe toggles, deep links, /mysubs, /unsubscribe (and what /forget
still ends), and a notice reaching exactly its subscribers, end to end through the fake Bot
API."""

from __future__ import annotations

import asyncio
import logging

import pytest
from sqlmodel import select

from bot.notices.categories import retire_category
from storage.models import AuditEntry, Category, Notice, Person
from tests.bot.handlers.subscribers import category_id, subscribed_codes
from tests.conftest import ADMIN_ID
from tests.fakes import FakeBotApi
from tests.harness import BotHarness

ALICE, BOB, CAROL = 3001, 3002, 3003


def notice_copies(fake: FakeBotApi, chat_id: int, title: str) -> list[str]:
    return [
        c.text
        for c in fake.calls("sendMessage", chat_id=chat_id)
        if c.ok and c.text and title in c.text
    ]


async def test_subscribe_toggles_a_category_by_editing_the_same_message(bot: BotHarness) -> None:
    reply = await bot.say(ALICE, "/subscribe", language_code="en")
    assert "You are subscribed to 0" in reply
    keyboard_message = bot.fake.sent(ALICE)[-1]
    cns = f"sub:t:{category_id(bot.db, 'cns')}"
    assert ("▫️ CNS Mark", cns) in bot.fake.buttons(keyboard_message)
    edited = await bot.press(ALICE, cns, language_code="en")
    assert "You are subscribed to 1" in edited
    last = bot.fake.sent(ALICE)[-1]
    assert last["message_id"] == keyboard_message["message_id"]  # the same message, edited
    assert ("✅ CNS Mark", cns) in bot.fake.buttons(last)
    assert subscribed_codes(bot.db, ALICE) == {"cns"}
    await bot.press(ALICE, cns, language_code="en")  # pressing again removes it
    assert subscribed_codes(bot.db, ALICE) == set()
    assert ("▫️ CNS Mark", cns) in bot.fake.buttons(bot.fake.sent(ALICE)[-1])


async def test_a_stale_subscribe_button_is_answered_politely_and_changes_nothing(
    bot: BotHarness,
) -> None:
    await bot.say(ALICE, "/subscribe", language_code="en")
    with bot.db.transaction() as session:
        origin = session.exec(select(Category).where(Category.code == "origin")).one()
        from kernel.clock import utcnow

        origin.retired_at = utcnow()
        session.add(origin)
    await bot.press(ALICE, f"sub:t:{origin.id}", language_code="en")
    answers = bot.fake.calls("answerCallbackQuery", chat_id=None)
    assert any("no longer valid" in (a.params.get("text") or "") for a in answers)
    assert subscribed_codes(bot.db, ALICE) == set()
    # the refreshed keyboard no longer offers the retired category
    labels = [label for label, _ in bot.fake.buttons(bot.fake.sent(ALICE)[-1])]
    assert not any("Certificates of Origin" in label for label in labels)


async def test_a_deep_link_subscribes_in_one_tap_and_says_what_was_done(bot: BotHarness) -> None:
    reply = await bot.say(BOB, "/start sub-cns_rpc_nosuch", language_code="en")
    assert "Subscribed to: CNS Mark, Registration of Product Certification." in reply
    assert "nosuch" in reply
    assert subscribed_codes(bot.db, BOB) == {"cns", "rpc"}
    again = await bot.say(BOB, "/start sub-cns", language_code="en")
    assert "Already subscribed to: CNS Mark." in again
    zh = await bot.say(CAROL, "/start sub-market", language_code="zh-hant")
    assert "已為您訂閱：市場監督與商品安全" in zh


async def test_a_deep_link_to_a_retired_category_says_it_is_no_longer_offered(
    bot: BotHarness,
) -> None:
    bot.db.call(retire_category, code="origin")
    reply = await bot.say(BOB, "/start sub-origin", language_code="en")
    assert "no longer offered" in reply and "origin" in reply
    assert subscribed_codes(bot.db, BOB) == set()


async def test_mysubs_lists_and_unsubscribe_asks_before_stopping_everything(
    bot: BotHarness,
) -> None:
    await bot.say(BOB, "/start sub-cns_events", language_code="en")
    listed = await bot.say(BOB, "/mysubs", language_code="en")
    assert "CNS Mark" in listed and "Briefings and Training" in listed
    ask = await bot.say(BOB, "/unsubscribe", language_code="en")
    assert "Stop all 2 subscriptions?" in ask
    kept = await bot.press(BOB, "unsub:no", language_code="en")
    assert "unchanged" in kept and subscribed_codes(bot.db, BOB) == {"cns", "events"}
    await bot.say(BOB, "/unsubscribe", language_code="en")
    done = await bot.press(BOB, "unsub:yes", language_code="en")
    assert "All subscriptions stopped (2)" in done
    assert subscribed_codes(bot.db, BOB) == set()


async def test_three_firms_subscribe_and_a_notice_reaches_exactly_its_subscribers_once(
    bot: BotHarness,
) -> None:
    # Alice subscribes through the keyboard, Bob and Carol through deep links.
    await bot.say(ALICE, "/subscribe", language_code="en")
    await bot.press(ALICE, f"sub:t:{category_id(bot.db, 'cns')}", language_code="en")
    await bot.say(BOB, "/start sub-cns_rpc", language_code="zh-hant")
    await bot.say(CAROL, "/start sub-market", language_code="en")
    # The admin publishes to cns through the /notice conversation.
    await bot.say(ADMIN_ID, "/notice", language_code="en")
    picked = await bot.press(
        ADMIN_ID, f"notice:c:{category_id(bot.db, 'cns')}", language_code="en"
    )
    assert "Recipients so far: 2" in picked
    await bot.press(ADMIN_ID, "notice:next", language_code="en")
    await bot.say(ADMIN_ID, "Label <rules> & fees", language_code="en")
    await bot.say(ADMIN_ID, "New label rules.\n\nThey apply from 1 Jan.", language_code="en")
    # the preview in English, then in Chinese for Bob: each as its readers will get it
    confirm = await bot.say(ADMIN_ID, "/skip", language_code="en", replies=5)
    assert "recipients: <b>2</b>" in confirm
    preview, chinese_preview = (
        bot.fake.sent(ADMIN_ID)[-4]["text"],
        bot.fake.sent(ADMIN_ID)[-2]["text"],
    )
    assert "<b>Label &lt;rules&gt; &amp; fees</b>" in preview
    await bot.press(ADMIN_ID, "notice:send", language_code="en", replies=1)
    await bot.fake.async_wait_for(
        lambda _c: (
            len(notice_copies(bot.fake, ALICE, "Label"))
            + len(notice_copies(bot.fake, BOB, "Label"))
            >= 2
        ),
        timeout=10,
    )
    alice = notice_copies(bot.fake, ALICE, "Label")
    bob = notice_copies(bot.fake, BOB, "Label")
    assert len(alice) == 1 and len(bob) == 1
    assert notice_copies(bot.fake, CAROL, "Label") == []
    assert "Categories: CNS Mark" in alice[0]
    assert "<b>Label &lt;rules&gt; &amp; fees</b>" in alice[0]
    assert "New label rules.\n\nThey apply from 1 Jan." in alice[0]
    assert alice[0] == preview  # the admin saw exactly what an English-speaking firm gets
    assert "類別：正字標記" in bob[0]  # Bob's Telegram is Chinese
    assert bob[0] == chinese_preview
    with bot.db.transaction() as session:
        notice = session.exec(select(Notice)).one()
        audit = session.exec(select(AuditEntry).where(AuditEntry.action == "notice.publish")).one()
    assert notice.recipients == 2 and audit.target == str(notice.id)


async def test_help_shows_firms_their_notice_commands_and_staff_the_publishing_ones(
    bot: BotHarness,
) -> None:
    firm = await bot.say(ALICE, "/help", language_code="en")
    for command in ("/subscribe", "/mysubs", "/unsubscribe", "/profile", "/forget"):
        assert command in firm
    assert "/notice " not in firm and "/categories" not in firm
    admin = await bot.say(ADMIN_ID, "/help", language_code="en")
    assert "/notice — Publish an instant notice" in admin and "/categories" in admin


async def test_a_second_press_of_done_or_of_a_stale_button_brings_no_error(
    bot: BotHarness,
) -> None:
    await bot.say(ALICE, "/subscribe", language_code="en")
    await bot.press(ALICE, f"sub:t:{category_id(bot.db, 'cns')}", language_code="en")
    await bot.press(ALICE, "sub:done", language_code="en")
    sent_before = len(bot.fake.calls("sendMessage", chat_id=ALICE))
    answers_before = len(bot.fake.calls("answerCallbackQuery"))
    for data in ("sub:done", "sub:t:99999", "sub:t:99999"):
        bot.fake.press_button(ALICE, data, language_code="en")
    await bot.fake.async_wait_for(
        lambda _c: len(bot.fake.calls("answerCallbackQuery")) >= answers_before + 3, timeout=5
    )
    await asyncio.sleep(0.5)
    assert len(bot.fake.calls("sendMessage", chat_id=ALICE)) == sent_before  # no error reply
    assert subscribed_codes(bot.db, ALICE) == {"cns"}


async def test_forged_or_odd_buttons_of_firms_and_admins_are_answered_as_stale_once_and_quietly(
    bot: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.say(ALICE, "/subscribe", language_code="en")
    await bot.say(ADMIN_ID, "/categories", language_code="en")
    cns = category_id(bot.db, "cns")
    forged = {
        ALICE: [
            "sub:t:²",
            "sub:t:١٢",
            f"sub:t:{cns}x",
            "sub:t:99999999999999999999999",
            "sub:t:-1",
            "sub:x",
            "sub:",
            "sub:done:extra",
            "unsub:maybe",
            "unsub:yes:1",
            "forget:yes2",
            "forget:",
        ],
        ADMIN_ID: [
            "ncat:retire:²",
            "ncat:yes:99999999999999999999999",
            "ncat:yes:",
            "ncat:burn:1",
            f"ncat:retire:{cns}:x",
            "notice:c:99999999999999999999999",
            "notice:c:²",
            "notice:zap",
        ],
    }
    sent_before = {chat: len(bot.fake.calls("sendMessage", chat_id=chat)) for chat in forged}
    answers_before = len(bot.fake.calls("answerCallbackQuery"))
    edits_before = len(bot.fake.calls("editMessageText"))
    with caplog.at_level(logging.INFO):
        for chat, datas in forged.items():
            for data in datas:
                bot.fake.press_button(chat, data, language_code="en")
        total = sum(len(d) for d in forged.values())
        await bot.wait_until(
            lambda: len(bot.fake.calls("answerCallbackQuery")) >= answers_before + total,
            what="an answer to every forged button",
        )
        await asyncio.sleep(0.5)  # a second answer or an error reply would come meanwhile
    answers = bot.fake.calls("answerCallbackQuery")[answers_before:]
    assert len(answers) == total and all(a.ok for a in answers)
    stale = ("no longer valid", "notice draft is closed")  # the notices' own stale line
    texts = [a.params.get("text") or "" for a in answers]
    assert all(any(words in text for words in stale) for text in texts), texts
    for chat in forged:
        assert len(bot.fake.calls("sendMessage", chat_id=chat)) == sent_before[chat]
    assert len(bot.fake.calls("editMessageText")) == edits_before
    assert subscribed_codes(bot.db, ALICE) == set()
    with bot.db.transaction() as session:
        assert session.get(Category, cns).retired_at is None  # type: ignore[union-attr]
        assert session.exec(select(Person).where(Person.telegram_id == ALICE)).first()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == []
    assert not any(r.exc_info for r in caplog.records)


async def test_unsubscribe_and_forget_say_what_still_comes_and_what_ends(
    bot: BotHarness,
) -> None:
    zh = {"language_code": "zh-hant"}
    await bot.say(BOB, "/start sub-cns", **zh)
    ask = await bot.say(BOB, "/unsubscribe", **zh)
    assert "本分局依統一編號寄送給貴公司的公告及證書屆期提醒仍會送達" in ask
    assert "/reminders" in ask
    done = await bot.press(BOB, "unsub:yes", **zh)
    assert "依統一編號寄送給貴公司的公告及證書屆期提醒不受影響" in done and "/reminders" in done
    ask = await bot.say(BOB, "/forget", **zh)
    assert "不再收到即時通公告及證書屆期提醒" in ask
    assert "滿意度調查回答將與您解除連結" in ask and "/privacy" in ask
    done = await bot.press(BOB, "forget:yes", **zh)
    assert "證書屆期提醒已停止" in done and "滿意度調查回答已與您解除連結" in done
    assert "/status 也不再顯示您的案件" in done
