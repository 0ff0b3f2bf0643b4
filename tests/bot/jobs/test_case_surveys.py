"""The question after a closed case, through the fake Bot API with a controlled clock: asked at
10:00 on the next working day (a holiday skipped), once, also after a restart; answered with a
score and a comment; an old button is stale and changes nothing; the report counts it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.cases.actions import Action
from bot.edge.persistence import USER_DATA
from bot.handlers import surveys as survey_handlers
from bot.jobs import case_surveys
from bot.jobs.case_surveys import run_case_surveys_once
from bot.surveys.case_report import build_case_report
from bot.surveys.report_files import write_report
from kernel.periods import HALVES_AND_YEARS, parse_period
from storage.models import BotState, CaseFollowUp, Delivery, Notice, Role
from storage.models.notices import NoticeKind
from storage.queries.people import set_blocked
from tests.factories import TZ, do, file_on, person
from tests.harness import BotHarness

SECRETARY = 8101
REPORTER = 8_765_432_101
NAME = "Lin Mei-hua"
CLOSED_ON = date(2026, 6, 18)  # a Thursday; Friday 19 June 2026 is the Dragon Boat Festival
ASK_ON = date(2026, 6, 22)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


@dataclass
class Clock:
    now: datetime


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The time the job and the answer handlers see."""
    current = Clock(at(CLOSED_ON, 16))
    monkeypatch.setattr(case_surveys, "utcnow", lambda: current.now)
    monkeypatch.setattr(survey_handlers, "utcnow", lambda: current.now)
    return current


def closed_case(bot: BotHarness, *, closed_on: date = CLOSED_ON) -> str:
    """A product report filed in chat by REPORTER, handled by sec1 and closed on `closed_on`."""
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    reporter = person(bot.db, REPORTER, name=NAME)
    filed = file_on(bot.db, date(2026, 6, 1), reporter=reporter)
    do(bot.db, filed.number, Action.ASSIGN, secretary, date(2026, 6, 2), unit="sec1")
    do(bot.db, filed.number, Action.REPLY, secretary, closed_on, text="已完成查核並依法處理。")
    do(bot.db, filed.number, Action.CLOSE, secretary, closed_on)
    return filed.number


def follow_ups(bot: BotHarness) -> list[CaseFollowUp]:
    return bot.db.call(
        lambda session: list(session.exec(select(CaseFollowUp)).all())  # type: ignore[misc]
    )


async def alert_after(bot: BotHarness, user_id: int, data: str) -> str:
    """Press a button; the text of the callback query's answer."""
    before = len(bot.fake.calls("answerCallbackQuery"))
    bot.fake.press_button(user_id, data)
    await bot.wait_until(
        lambda: len(bot.fake.calls("answerCallbackQuery")) > before, what=f"an answer to {data}"
    )
    return str(bot.fake.calls("answerCallbackQuery")[-1].params.get("text") or "")


async def test_the_reporter_is_asked_on_the_next_working_day_answers_once_and_is_counted(
    bot: BotHarness, clock: Clock, tmp_path: Path
) -> None:
    number = closed_case(bot)
    await bot.outbox_sent()  # the case's news to the reporter
    news = len(bot.fake.sent(REPORTER))
    assert bot.app is not None
    services = bot.app.bot_data["services"]
    for moment in (at(CLOSED_ON, 16), at(date(2026, 6, 19), 10), at(ASK_ON, 9, 59)):
        clock.now = moment
        assert await run_case_surveys_once(services, moment) == 0
    assert follow_ups(bot) == []

    clock.now = at(ASK_ON, 10)
    assert await run_case_surveys_once(services, clock.now) == 1
    await bot.fake.async_wait_for("sendMessage", chat_id=REPORTER, count=news + 1)
    question = bot.fake.last_text(REPORTER)
    assert "滿意程度" in question and "/forget" in question  # says what is collected and why
    # names the case: its number and its closing day, ROC as every date the public reads
    roc_day = f"{CLOSED_ON.year - 1911}/{CLOSED_ON.month:02d}/{CLOSED_ON.day:02d}"
    assert (
        f"您向經濟部標準檢驗局新竹分局提出的案件 <b>{number}</b> 已於 {roc_day} 結案" in question
    )
    assert "近日" not in question
    # what /forget deletes is said whole, and the notice it belongs to is named
    assert "訂閱、公司資料，以及案件上的姓名、電話與 Telegram 帳號" in question
    assert "/status 不再顯示您的案件" in question and "/privacy" in question
    [asked] = follow_ups(bot)
    assert (asked.kind, asked.on_time, asked.score) == ("product", True, None)
    four = bot.fake.button_data(REPORTER, "4 滿意")
    assert four == f"svc:s:{asked.id}:4"

    clock.now = at(ASK_ON, 11)
    prompt = await bot.press(REPORTER, four, replies=2)
    assert "/skip" in prompt
    assert "4 滿意" in bot.fake.sent(REPORTER)[-2]["text"]  # the question now shows the answer
    thanks = await bot.say(REPORTER, "承辦人說明清楚，處理迅速。")
    assert "謝謝" in thanks

    # The same button again, and another score on the old message: stale, nothing changes.
    assert await alert_after(bot, REPORTER, four) != ""
    assert await alert_after(bot, REPORTER, f"svc:s:{asked.id}:1") != ""
    [answered] = follow_ups(bot)
    assert (answered.score, answered.comment, answered.comment_done) == (
        4,
        "承辦人說明清楚，處理迅速。",
        True,
    )

    # Asked once: not again later, nor after a restart.
    await bot.restart()
    assert bot.app is not None
    services = bot.app.bot_data["services"]
    clock.now = at(ASK_ON, 15)
    assert await run_case_surveys_once(services, clock.now) == 0
    assert len(follow_ups(bot)) == 1
    questions = bot.db.call(
        lambda session: list(  # type: ignore[misc]
            session.exec(
                select(Delivery)
                .join(Notice, Notice.id == Delivery.notice_id)  # type: ignore[arg-type]
                .where(Notice.kind == NoticeKind.CASE_SURVEY.value)
            ).all()
        )
    )
    assert len(questions) == 1  # (the case's own news are outbox rows of kind case_news)

    report = bot.db.call(
        build_case_report, period=parse_period("2026-H1", kinds=HALVES_AND_YEARS), language="zh-TW"
    )
    assert (report.invited, report.responded) == (1, 1)
    assert report.items[0].figures.distribution == (0, 0, 0, 1, 0)
    assert report.comments == [(report.items[0].label, "承辦人說明清楚，處理迅速。")]
    files = write_report(report, tmp_path)
    outputs = [f.read_text(encoding="utf-8-sig") for f in files if f.suffix != ".png"]
    outputs += [str(m.get("text") or "") for m in bot.fake.sent()]
    for text in outputs:
        assert NAME not in text and str(REPORTER) not in text


async def test_no_answer_within_14_days_is_no_response_and_the_button_goes_stale(
    bot: BotHarness, clock: Clock
) -> None:
    closed_case(bot)
    await bot.outbox_sent()  # the case's news to the reporter
    news = len(bot.fake.sent(REPORTER))
    assert bot.app is not None
    clock.now = at(ASK_ON, 10, 5)
    assert await run_case_surveys_once(bot.app.bot_data["services"], clock.now) == 1
    await bot.fake.async_wait_for("sendMessage", chat_id=REPORTER, count=news + 1)
    [asked] = follow_ups(bot)
    clock.now = at(date(2026, 7, 6), 10, 5)  # 14 days after it was asked
    assert await alert_after(bot, REPORTER, f"svc:s:{asked.id}:5") != ""
    [unanswered] = follow_ups(bot)
    assert unanswered.score is None
    report = bot.db.call(
        build_case_report, period=parse_period("2026", kinds=HALVES_AND_YEARS), language="en"
    )
    assert (report.invited, report.responded, report.rate_pct) == (1, 0, 0.0)


async def test_a_reporter_who_blocked_the_bot_or_whose_question_time_passed_is_not_asked(
    bot: BotHarness, clock: Clock
) -> None:
    closed_case(bot)
    assert bot.app is not None
    services = bot.app.bot_data["services"]
    bot.db.call(set_blocked, telegram_id=REPORTER, blocked=True)
    clock.now = at(ASK_ON, 10)
    assert await run_case_surveys_once(services, clock.now) == 0
    bot.db.call(set_blocked, telegram_id=REPORTER, blocked=False)
    clock.now = at(date(2026, 7, 6), 10)  # the question's 14 days passed without it being asked
    assert await run_case_surveys_once(services, clock.now) == 0
    notices = bot.db.call(
        lambda session: list(  # type: ignore[misc]
            session.exec(select(Notice).where(Notice.kind == NoticeKind.CASE_SURVEY.value)).all()
        )
    )
    assert notices == []  # (the case's own news are notice rows of kind case_news)


async def test_a_comment_too_long_is_refused_in_a_sentence_and_the_next_one_is_taken(
    bot: BotHarness, clock: Clock
) -> None:
    # 4,000 characters were cut to 2,000 without a word.
    closed_case(bot)
    assert bot.app is not None
    services = bot.app.bot_data["services"]
    clock.now = at(ASK_ON, 10)
    assert await run_case_surveys_once(services, clock.now) == 1
    await bot.outbox_sent()
    [asked] = follow_ups(bot)
    clock.now = at(ASK_ON, 11)
    await bot.press(REPORTER, f"svc:s:{asked.id}:2", replies=2)
    refused = await bot.say(REPORTER, "太慢了。" * 1000)
    assert "4000" in refused and "2000" in refused
    [waiting] = follow_ups(bot)
    assert (waiting.comment, waiting.comment_done) == (None, False)
    thanks = await bot.say(REPORTER, "處理太慢了。")
    assert "謝謝" in thanks
    [answered] = follow_ups(bot)
    assert (answered.score, answered.comment, answered.comment_done) == (2, "處理太慢了。", True)


async def test_forget_while_a_comment_is_awaited_leaves_no_stored_state_naming_the_question(
    bot: BotHarness, clock: Clock
) -> None:
    # The stored user data of the chat ({"svc": follow-up id}) named the question, keyed by
    # the chat's user id: a path from the answer to the chat that /forget left behind.
    closed_case(bot)
    assert bot.app is not None
    services = bot.app.bot_data["services"]
    clock.now = at(ASK_ON, 10)
    assert await run_case_surveys_once(services, clock.now) == 1
    await bot.outbox_sent()
    [asked] = follow_ups(bot)
    clock.now = at(ASK_ON, 11)
    await bot.press(REPORTER, f"svc:s:{asked.id}:3", replies=2)

    def stored(session: Session) -> list[BotState]:
        return list(
            session.exec(
                select(BotState).where(
                    BotState.namespace == USER_DATA, BotState.key == str(REPORTER)
                )
            ).all()
        )

    await bot.wait_until(lambda: bool(bot.db.call(stored)), what="the awaited comment stored")
    await bot.say(REPORTER, "/forget")
    await bot.press(REPORTER, "forget:yes")
    await bot.wait_until(lambda: not bot.db.call(stored), what="the stored state dropped")
    await bot.restart()
    assert bot.db.call(stored) == []
