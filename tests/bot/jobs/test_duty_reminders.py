"""Duty reminders through the bot: 10 and 3 working days before and on the day, to the owner
unit's staff and the secretariat (not another unit), once (not again after a restart), only
the latest after missed days, none once done; overdue duties join the secretariat's daily
overdue list."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from bot.duties.records import bring_in, complete
from bot.duties.schedule import working_days_before
from bot.jobs.case_reminders import run_reminders_once
from bot.jobs.duty_reminders import send_reminders
from kernel import workcalendar
from storage.db import Database
from storage.models import DutyOccurrence, OutboxText, Role
from storage.queries.outbox.texts import load_values
from tests.bot.duties import shared
from tests.factories import person
from tests.harness import BotHarness

STAFF = 7401
SECRETARY = 7402
OTHER = 7403
DUE = date(2027, 2, 3)  # 8 February 2027 falls in the Lunar New Year holiday


def february(db: Database) -> int:
    """Only this duty runs (the seeded ones start on the day the database was made)."""

    def make(session: Session) -> int:
        duty = shared.lift_check(session, starts_on=date(2027, 2, 1))
        bring_in(session, first=date(2027, 2, 1), last=date(2027, 2, 28))
        found = session.exec(
            select(DutyOccurrence.id).where(col(DutyOccurrence.duty_id) == duty.id)
        ).first()
        assert found is not None
        return found

    return db.call(make)


def people(db: Database) -> None:
    person(db, STAFF, Role.INSPECTOR, unit="sec1")
    person(db, SECRETARY, Role.SECRETARIAT)
    person(db, OTHER, Role.INSPECTOR, unit="sec2")


def texts(bot: BotHarness, chat: int) -> list[str]:
    return [
        t
        for t in (c.params.get("text") for c in bot.fake.calls("sendMessage", chat_id=chat))
        if t and "電梯檢查" in t
    ]


async def test_reminders_go_to_the_unit_and_the_secretariat_once_each(bot: BotHarness) -> None:
    people(bot.db)
    occurrence = february(bot.db)
    assert bot.app is not None
    ten = working_days_before(DUE, 10)
    assert workcalendar.working_days_between(ten, DUE) == 10
    assert await send_reminders(bot.app, ten) == 2
    assert await send_reminders(bot.app, ten) == 0
    await bot.restart()
    assert bot.app is not None
    assert await send_reminders(bot.app, ten) == 0
    assert await send_reminders(bot.app, workcalendar.add_working_days(ten, 1)) == 0
    await bot.outbox_sent()
    assert len(texts(bot, STAFF)) == 1 and "116/02/03" in texts(bot, STAFF)[0]
    assert "還有 10 個工作日" in texts(bot, SECRETARY)[0]
    assert texts(bot, OTHER) == []
    assert await send_reminders(bot.app, working_days_before(DUE, 3)) == 2
    assert await send_reminders(bot.app, DUE) == 2
    await bot.outbox_sent()
    sent = texts(bot, STAFF)
    assert len(sent) == 3 and sum("今天（116/02/03）到期" in t for t in sent) == 1
    bot.db.call(
        complete,
        occurrence_id=occurrence,
        on=DUE,
        note="已檢查",
        files=[],
        today=DUE,
        by="王小明",
    )
    assert await send_reminders(bot.app, DUE) == 0


async def test_after_missed_days_only_the_latest_reminder_is_sent(bot: BotHarness) -> None:
    people(bot.db)
    february(bot.db)
    assert bot.app is not None
    assert await send_reminders(bot.app, working_days_before(DUE, 2)) == 2
    await bot.outbox_sent()
    (only,) = texts(bot, STAFF)
    assert "還有 3 個工作日" in only
    saturday = date(2027, 1, 30)
    assert await send_reminders(bot.app, saturday) == 0


async def test_overdue_duties_join_the_secretariats_daily_overdue_list(bot: BotHarness) -> None:
    people(bot.db)
    february(bot.db)
    assert bot.app is not None
    services = bot.app.bot_data["services"]
    after = datetime.combine(date(2027, 2, 11), time(9, 30), tzinfo=ZoneInfo("Asia/Taipei"))
    assert await run_reminders_once(services, after) == 1  # to the secretary alone
    assert await run_reminders_once(services, after) == 0
    # Written for 11 February 2027, it is sent then: its text is read from the row.
    (row,) = bot.db.call(
        lambda session: [
            (r.key, load_values(r.values)) for r in session.exec(select(OutboxText)).all()
        ]
    )
    key, values = row
    assert key == "reminders.overdue" and values["count"] == 0
    listed = str(values["lines"])
    assert "逾期定期工作" in listed and "應於 116/02/03 完成，逾期 8 日" in listed
