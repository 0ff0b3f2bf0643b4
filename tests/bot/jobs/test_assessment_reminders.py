"""Deadline reminders to the secretariat through the bot: 20, 10 and 3 working days before
15 July while the first half-year is unpublished, on working days, once (not again after a
restart), and only the latest one due when the bot was down on an earlier reminder's day. The
rules alone are tests/bot/assessment/test_reminders.py."""

from __future__ import annotations

from datetime import date, timedelta

from bot.assessment.reminders import due_today, reminder_day
from bot.assessment.scoring import ScoreInput, publish, record_score
from bot.jobs.assessment_reminders import send_reminders
from kernel import workcalendar
from kernel.periods import Period
from storage.models import Role
from storage.seeds import UNITS
from tests.factories import person
from tests.harness import BotHarness

SECRETARY = 7201
INSPECTOR = 7202
H1 = Period(2027, half=1)
POINTS = {
    "basic": "180",
    "delivery": "270",
    "capacity": "170",
    "evaluation": "160",
    "innovation": "80",
}


def reminders_to(bot: BotHarness, chat: int) -> list[str]:
    return [
        t
        for t in (c.params.get("text") for c in bot.fake.calls("sendMessage", chat_id=chat))
        if t and "自行考核" in t
    ]


async def test_reminders_go_to_the_secretariat_once_and_stop_when_published(
    bot: BotHarness,
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    assert bot.app is not None
    twenty = reminder_day(H1.deadline, 20)
    assert await send_reminders(bot.app, twenty) == 1
    await bot.fake.async_wait_for("sendMessage", chat_id=SECRETARY)
    text = reminders_to(bot, SECRETARY)[0]
    assert "116 年上半年" in text and "116/07/15" in text and "20 個工作日" in text
    assert "/assessment 2027-H1" in text
    assert await send_reminders(bot.app, twenty) == 0
    await bot.restart()
    assert bot.app is not None
    assert await send_reminders(bot.app, twenty) == 0
    following = workcalendar.add_working_days(twenty, 1)
    assert await send_reminders(bot.app, following) == 0
    saturday = twenty + timedelta(days=(5 - twenty.weekday()) % 7)
    assert not workcalendar.is_working_day(saturday)
    assert bot.db.call(due_today, today=saturday) == []
    ten = reminder_day(H1.deadline, 10)
    assert await send_reminders(bot.app, ten) == 1
    assert reminders_to(bot, INSPECTOR) == []
    for code, _, _ in UNITS:
        bot.db.call(
            record_score,
            period=H1,
            given=ScoreInput(unit=code, points=POINTS),
            today=ten,
            by="test",
        )
    bot.db.call(publish, period=H1, by="test", language="zh-TW")
    assert await send_reminders(bot.app, reminder_day(H1.deadline, 3)) == 0
    await bot.outbox_sent()
    assert len(reminders_to(bot, SECRETARY)) == 2


async def test_after_missed_days_only_the_latest_reminder_is_sent(bot: BotHarness) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    assert bot.app is not None
    late = workcalendar.add_working_days(reminder_day(H1.deadline, 10), 1)
    assert await send_reminders(bot.app, late) == 1
    await bot.fake.async_wait_for("sendMessage", chat_id=SECRETARY)
    assert "9 個工作日" in reminders_to(bot, SECRETARY)[0]
    assert await send_reminders(bot.app, workcalendar.add_working_days(late, 1)) == 0
    assert await send_reminders(bot.app, H1.deadline + timedelta(days=1)) == 0
    assert bot.db.call(due_today, today=date(2027, 3, 1)) == []


async def test_a_deadline_reminder_is_not_sent_twice_across_a_restart_in_the_middle_of_sending(
    bot: BotHarness,
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    assert bot.app is not None
    twenty = reminder_day(H1.deadline, 20)
    bot.fake.slow("sendMessage", seconds=1.0, chat_id=SECRETARY)
    assert await send_reminders(bot.app, twenty) == 1
    await bot.wait_until(lambda: reminders_to(bot, SECRETARY) != [], what="sent, no answer yet")
    await bot.restart()
    assert bot.app is not None
    assert await send_reminders(bot.app, twenty) == 0
    await bot.outbox_sent()
    assert len(reminders_to(bot, SECRETARY)) == 1
