"""Reminders of a firm's open need through the bot: to the unit's staff and the secretariat
(not another unit's), 5 and 1 working days before the deadline and once overdue, each once
(a second pass writes nothing), in office hours on working days only; none once answered."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.jobs.need_reminders import run_once
from bot.visits.recording import VisitDraft, answer_need, record_visit
from kernel import workcalendar
from storage.models import FirmNeed, Role
from tests.factories import person
from tests.harness import BotHarness

TZ = ZoneInfo("Asia/Taipei")
SECRETARY, INSPECTOR, OTHER = 7401, 7402, 7403
RAISED = date(2026, 3, 2)


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=TZ)


def raise_need(bot: BotHarness) -> FirmNeed:
    (need,) = bot.db.call(
        record_visit,
        draft=VisitDraft(on="2026-03-02", unit="sec1", tax_id="04595257", needs=["說明標示規定"]),
        today=RAISED,
        answer_days=30,
        by="cli:tester",
        actor_telegram_id=None,
    ).needs
    return need


def reminders_to(bot: BotHarness, chat: int) -> list[str]:
    return [
        c.text or ""
        for c in bot.fake.calls("sendMessage", chat_id=chat)
        if "廠商需求" in (c.text or "")
    ]


async def test_an_open_need_is_reminded_before_and_after_its_deadline_once_each(
    bot: BotHarness,
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    person(bot.db, OTHER, Role.INSPECTOR, unit="sec2")
    assert bot.app is not None
    services = bot.app.bot_data["services"]
    need = raise_need(bot)
    six = workcalendar.previous_working_day(workcalendar.add_working_days(RAISED, 25))
    assert await run_once(services, at(six)) == 0  # six working days before: nothing yet
    five = workcalendar.add_working_days(RAISED, 25)
    assert await run_once(services, at(five, 8)) == 0  # before office hours
    assert await run_once(services, at(five, 18)) == 0  # after them
    assert await run_once(services, at(five)) == 2  # the inspector of sec1 and the secretary
    assert await run_once(services, at(five, 15)) == 0  # never twice
    await bot.outbox_sent()
    (early,) = reminders_to(bot, INSPECTOR)
    assert "#" + str(need.id) in early and "04595257" in early
    assert reminders_to(bot, SECRETARY) and not reminders_to(bot, OTHER)
    eve = workcalendar.previous_working_day(need.due_on)
    assert await run_once(services, at(eve)) == 2
    await bot.outbox_sent()
    assert "明天或今天到期" in reminders_to(bot, INSPECTOR)[1]
    saturday = date(2026, 4, 18)
    assert not workcalendar.is_working_day(saturday) and saturday > need.due_on
    assert await run_once(services, at(saturday)) == 0  # a day off
    after = workcalendar.add_working_days(need.due_on, 1)
    assert await run_once(services, at(after)) == 2
    assert await run_once(services, at(workcalendar.add_working_days(after, 1))) == 0
    await bot.outbox_sent()
    texts = reminders_to(bot, INSPECTOR)
    assert len(texts) == 3 and "已逾期 1 日" in texts[2]


async def test_an_answered_need_is_not_reminded(bot: BotHarness) -> None:
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    assert bot.app is not None
    need = raise_need(bot)
    bot.db.call(
        answer_need,
        need_id=need.id or 0,
        text="已回覆",
        on="2026-03-05",
        today=date(2026, 3, 5),
        by="cli:tester",
        actor_telegram_id=None,
    )
    services = bot.app.bot_data["services"]
    after = workcalendar.add_working_days(need.due_on, 1)
    assert await run_once(services, at(after)) == 0
