"""Case news takes the outbox: written with the change, sent by the delivery worker, so a 429,
a passing 502 or a restart between the change and the send loses nothing and sends nothing
twice. The inspector's own answer ("replied") stays immediate."""

from __future__ import annotations

from datetime import date

import pytest

from bot.cases.filing import Draft, submit_report
from bot.cases.summary import build_summary
from bot.cases.summary_report import summary_text
from kernel.clock import utcnow
from storage.models import Role
from tests.factories import TZ, do, file_on, person
from tests.harness import BotHarness

SECRETARY = 7201
INSPECTOR = 7202
FIRM = 7203
REPLY = "經查該行動電源已下架，並已通知業者改正。"
QUESTION = "請提供購買收據或發票照片。"


def assigned_case(bot: BotHarness) -> str:
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    reporter = person(bot.db, FIRM)
    filed = file_on(bot.db, date(2026, 11, 2), reporter=reporter)
    do(bot.db, filed.number, "assign", secretary, date(2026, 11, 3), unit="sec1")
    return filed.number


def delivered(bot: BotHarness, chat_id: int, words: str) -> list[str]:
    """Texts Telegram accepted for `chat_id` that contain `words`."""
    return [
        c.text or ""
        for c in bot.fake.calls("sendMessage", chat_id=chat_id)
        if c.ok and words in (c.text or "")
    ]


async def reply_in_chat(bot: BotHarness, number: str) -> str:
    await bot.press(INSPECTOR, f"case:a:reply:{number}", language_code="en")
    return await bot.say(INSPECTOR, REPLY, language_code="en")


@pytest.mark.parametrize(
    ("status", "retry_after"), [(429, 1), (502, None)], ids=["429-retry-after-1", "502-once"]
)
async def test_the_final_reply_reaches_the_reporter_exactly_once_after_a_refused_first_send(
    bot: BotHarness, status: int, retry_after: int | None
) -> None:
    number = assigned_case(bot)
    await bot.outbox_sent()  # the news of the assignment
    bot.fake.fail("sendMessage", chat_id=FIRM, status=status, retry_after=retry_after, times=1)
    done = await reply_in_chat(bot, number)
    assert "replied" in done and number in done  # the inspector's answer, at once
    await bot.wait_until(
        lambda: delivered(bot, FIRM, REPLY) != [], what="the reply delivered after the refusal"
    )
    await bot.outbox_sent()
    refused = [c for c in bot.fake.calls("sendMessage", chat_id=FIRM) if c.status == status]
    assert len(refused) == 1
    (reply,) = delivered(bot, FIRM, REPLY)
    assert number in reply and "經濟部標準檢驗局新竹分局" in reply


async def test_the_final_reply_arrives_once_when_the_bot_stops_right_after_it_is_recorded(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    await bot.outbox_sent()
    await bot.stop()  # what the handler's transaction committed, the bot down before any send
    inspector = person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    do(bot.db, number, "reply", inspector, date(2026, 11, 5), text=REPLY)
    assert delivered(bot, FIRM, REPLY) == []
    await bot.start()
    await bot.wait_until(lambda: delivered(bot, FIRM, REPLY) != [], what="the reply after start")
    await bot.restart()
    await bot.outbox_sent()
    assert len(delivered(bot, FIRM, REPLY)) == 1


async def test_the_units_news_and_a_question_to_the_reporter_survive_a_429_each(
    bot: BotHarness,
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    reporter = person(bot.db, FIRM)
    filed = file_on(bot.db, date(2026, 11, 2), reporter=reporter)
    await bot.outbox_sent()
    bot.fake.fail("sendMessage", chat_id=INSPECTOR, status=429, retry_after=1, times=1)
    await bot.press(SECRETARY, f"case:unit:{filed.number}:sec1", language_code="en", replies=2)
    await bot.wait_until(
        lambda: delivered(bot, INSPECTOR, filed.number) != [], what="the unit's news"
    )
    bot.fake.fail("sendMessage", chat_id=FIRM, status=429, retry_after=1, times=1)
    await bot.press(INSPECTOR, f"case:a:ask:{filed.number}", language_code="en")
    asked = await bot.say(INSPECTOR, QUESTION, language_code="en")
    assert filed.number in asked
    await bot.wait_until(lambda: delivered(bot, FIRM, QUESTION) != [], what="the question")
    await bot.outbox_sent()
    assert len(delivered(bot, INSPECTOR, "已分派貴單位")) == 1
    (question,) = delivered(bot, FIRM, QUESTION)
    assert QUESTION in question
    assert bot.fake.button_data(FIRM, "補充資料") == f"rep:info:{filed.number}"
    assert len([c for c in bot.fake.calls("sendMessage") if c.status == 429]) == 2


async def test_the_secretariat_hears_of_a_filed_report_once_despite_a_429(
    bot: BotHarness,
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    reporter = person(bot.db, FIRM)
    bot.fake.fail("sendMessage", chat_id=SECRETARY, status=429, retry_after=1, times=1)
    filed = bot.db.call(
        submit_report,
        draft=Draft(
            kind="product",
            subject="行動電源 PowerMax 20000mAh",
            location="新竹市東區某量販店",
            description="充電時外殼過熱變形，疑似未貼商品安全標章。",
        ),
        person_id=reporter.id,
        roles=reporter.roles,
        language="zh-TW",
        received_at=utcnow(),
        tz=TZ,
        reply_days=30,
        counting="working",
        limit_per_hour=5,
    )
    await bot.wait_until(
        lambda: delivered(bot, SECRETARY, filed.number) != [], what="the new-case message"
    )
    await bot.outbox_sent()
    assert len(delivered(bot, SECRETARY, filed.number)) == 1


async def test_the_inspectors_own_answer_is_retried_once_after_a_429(bot: BotHarness) -> None:
    number = assigned_case(bot)
    await bot.outbox_sent()
    bot.fake.fail("sendMessage", chat_id=INSPECTOR, status=429, retry_after=1, times=1)
    shown = await bot.say(INSPECTOR, f"/case {number}", language_code="en")
    assert number in shown
    answers = bot.fake.calls("sendMessage", chat_id=INSPECTOR)
    assert [c.status for c in answers][-2:] == [429, 200]


async def test_a_reply_a_blocked_petitioner_never_got_is_flagged_on_the_card_and_in_cases(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    other = file_on(bot.db, date(2026, 11, 2), reporter=person(bot.db, FIRM + 10)).number
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    do(bot.db, other, "assign", secretary, date(2026, 11, 3), unit="sec1")
    await bot.outbox_sent()
    bot.fake.block(FIRM)
    await reply_in_chat(bot, number)
    do(bot.db, other, "reply", secretary, date(2026, 11, 5), text=REPLY)
    await bot.outbox_sent()
    assert delivered(bot, FIRM, REPLY) == [] and len(delivered(bot, FIRM + 10, REPLY)) == 1

    card = await bot.say(SECRETARY, f"/case {number}", language_code="en")
    assert "Messages to the petitioner" in card
    assert "final reply: not delivered (the petitioner blocked the bot)" in card
    assert "could not be delivered" in card and "by phone or letter" in card
    fine = await bot.say(SECRETARY, f"/case {other}", language_code="en")
    assert "final reply: sent" in fine and "by phone or letter" not in fine

    listed = await bot.say(SECRETARY, "/cases", language_code="en")
    (flagged,) = [line for line in listed.splitlines() if number in line]
    assert "⚠️ reply not delivered" in flagged
    (unflagged,) = [line for line in listed.splitlines() if other in line]
    assert "⚠️" not in unflagged

    today = utcnow().astimezone(TZ).date()
    summary = bot.db.call(
        build_summary, year=today.year, month=today.month, today=today, language="en", tz=TZ
    )
    assert summary.replies_delivered == 1
    assert "Final replies sent in Telegram this month: 1" in summary_text(summary, "en")
