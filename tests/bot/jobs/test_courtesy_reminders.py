"""The courtesy reminder job writes the day's reminders to the outbox: one a recipient and
day for each of today's calls, results due soon and results overdue (never twice), the lines
in the recipient's language, the overdue list cut at 50; and nothing before 08:00. Through
the bot: what the inspectors and the secretariat receive, on working days only, retried once
after a failure, never twice across a restart, and not to a chat that blocked the bot."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.jobs.courtesy_reminders import enqueue_reminders, send_reminders
from storage.db import Database
from storage.models import CourtesyStaff, Delivery, Notice, OutboxText, Person, Role
from storage.queries.courtesy import fetch_test_views
from storage.queries.outbox.texts import load_values
from tests.bot.handlers.courtesy.helpers import prepare, staff
from tests.courtesy.plans import INSPECTOR, SECRETARY, linked_call
from tests.factories import person
from tests.harness import BotHarness

NOW = datetime(2026, 4, 28, 8, 0, tzinfo=ZoneInfo("Asia/Taipei"))


def written(db: Database) -> list[tuple[int | None, str | None, str, dict[str, object]]]:
    """Each reminder row: chat, once key, catalogue key and values."""
    with db.transaction() as session:
        rows = session.exec(
            select(Delivery, OutboxText)
            .join(Notice, col(Notice.id) == Delivery.notice_id)
            .join(OutboxText, col(OutboxText.id) == Notice.ref_id)
            .where(Notice.kind == "courtesy_reminder")
            .order_by(col(Delivery.id))
        ).all()
        return [(d.chat_id, d.once_key, t.key, load_values(t.values)) for d, t in rows]


def remind(db: Database, today: date, default: str = "zh-TW") -> int:
    return db.call(enqueue_reminders, today=today, default=default, now=NOW)


def test_results_due_soon_are_one_reminder_a_day_listing_every_call_in_the_default_language(
    db: Database,
) -> None:
    code, _, _ = linked_call(db)
    assert remind(db, date(2026, 4, 28)) >= 1
    assert remind(db, date(2026, 4, 28)) == 0
    mine = [r for r in written(db) if r[0] == INSPECTOR]
    assert [(r[1], r[2]) for r in mine] == [
        (f"courtesy_reminder:due:2026-04-28:{INSPECTOR}", "courtesy.remind.due")
    ]
    values = mine[0][3]
    assert values["due"] == date(2026, 5, 4)
    lines = str(values["lines"]).splitlines()
    assert any(line.startswith(f"• {code} ") for line in lines)
    assert all("｜稽查同仁 " in line and "｜期限 115/05/04" in line for line in lines)


def test_the_days_calls_are_listed_by_time_in_the_inspectors_saved_language(
    db: Database,
) -> None:
    code, person_id, _ = linked_call(db)
    with db.transaction() as session:
        row = session.get(Person, person_id)
        assert row is not None
        row.language = "en"
        session.add(row)
        views = fetch_test_views(session=session, year=2026)
    mine = next(v for v in views if v.code == code)
    remind(db, mine.day)
    calls = [r for r in written(db) if r[2] == "courtesy.remind.calls"]
    assert [r[0] for r in calls] == [INSPECTOR]
    expected = sorted(
        (v.at, v.code) for v in views if v.day == mine.day and v.inspector_id == mine.inspector_id
    )
    lines = str(calls[0][3]["lines"]).splitlines()
    assert [line.split()[1] for line in lines] == [f"<code>{c}</code>" for _, c in expected]
    assert all("| ext. " in line for line in lines)


def test_the_overdue_list_names_fifty_calls_and_counts_the_rest(db: Database) -> None:
    linked_call(db)
    person(db, SECRETARY, Role.SECRETARIAT)
    remind(db, date(2026, 9, 7), default="en")  # rounds 1 and 2 are overdue: 54 calls
    overdue = [r for r in written(db) if r[2] == "courtesy.remind.overdue"]
    assert [r[0] for r in overdue] == [SECRETARY]
    lines = str(overdue[0][3]["lines"]).splitlines()
    late = [v for v in db.call(fetch_test_views, year=2026) if v.due_on < date(2026, 9, 7)]
    assert len(late) > 50 and len(lines) == 51
    assert lines[-1].startswith(f"…and {len(late) - 50} more;")


async def test_inspectors_are_reminded_three_working_days_before_the_due_date_once(
    bot: BotHarness, db: Database
) -> None:
    prepare(db)
    assert bot.app is not None
    # Round 1 results are due on the 3rd, 2026-05-03, a Sunday, so on Monday 2026-05-04; the
    # reminder goes three working days before (2026-05-01 is Labour Day).
    first = await send_reminders(bot.app, date(2026, 4, 28))
    second = await send_reminders(bot.app, date(2026, 4, 28))
    assert first >= 1 and second == 0
    await bot.outbox_sent()
    assert "須在 115/05/04 前登錄" in bot.fake.last_text(INSPECTOR)
    with db.transaction() as session:
        assert session.exec(select(Delivery).where(Delivery.once_key != None)).all()  # noqa: E711
        assert session.exec(select(CourtesyStaff).where(CourtesyStaff.person_id != None)).all()  # noqa: E711


async def test_an_inspector_is_told_the_calls_of_the_day_once(
    bot: BotHarness, db: Database
) -> None:
    code, extension = prepare(db)
    with db.transaction() as session:
        day = next(v.day for v in fetch_test_views(session=session) if v.code == code)
    assert bot.app is not None
    assert await send_reminders(bot.app, day) >= 1
    await bot.outbox_sent()
    text = bot.fake.last_text(INSPECTOR)
    assert "今天要撥打" in text and code in text and extension in text
    before = len(bot.fake.sent(INSPECTOR))
    await send_reminders(bot.app, day)
    await bot.outbox_sent()
    assert len(bot.fake.sent(INSPECTOR)) == before


async def test_reminders_are_written_in_each_recipients_saved_language(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    staff(db, INSPECTOR, language="en", role=None)
    staff(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    staff(db, SECRETARY + 1, language=None, role=Role.SECRETARIAT)
    with db.transaction() as session:
        day = next(v.day for v in fetch_test_views(session=session) if v.code == code)
    assert bot.app is not None
    await send_reminders(bot.app, day)
    await bot.outbox_sent()
    assert "Courtesy calls to make today" in bot.fake.last_text(INSPECTOR)
    await send_reminders(bot.app, date(2026, 4, 28))
    await bot.outbox_sent()
    assert "are due by 2026-05-04" in bot.fake.last_text(INSPECTOR)
    await send_reminders(bot.app, date(2026, 5, 5))  # round 1 is overdue from 2026-05-05
    await bot.outbox_sent()
    assert "Courtesy results overdue" in bot.fake.last_text(SECRETARY)
    assert "逾期未登錄" in bot.fake.last_text(SECRETARY + 1)  # no saved language: the default


async def test_a_reminder_that_failed_to_send_is_tried_again_by_the_outbox_once(
    bot: BotHarness, db: Database
) -> None:
    prepare(db)
    assert bot.app is not None
    bot.fake.fail("sendMessage", chat_id=INSPECTOR, status=500)
    assert await send_reminders(bot.app, date(2026, 4, 28)) >= 1
    await bot.wait_until(lambda: bot.fake.sent(INSPECTOR) != [], what="the reminder retried")
    assert "須在 115/05/04 前登錄" in bot.fake.last_text(INSPECTOR)
    assert await send_reminders(bot.app, date(2026, 4, 28)) == 0
    await bot.outbox_sent()
    assert len(bot.fake.sent(INSPECTOR)) == 1
    assert [c.status for c in bot.fake.calls("sendMessage", chat_id=INSPECTOR)] == [500, 200]


async def test_a_courtesy_reminder_is_not_sent_twice_across_a_restart_in_the_middle_of_sending(
    bot: BotHarness, db: Database
) -> None:
    prepare(db)
    assert bot.app is not None
    bot.fake.slow("sendMessage", seconds=1.0, chat_id=INSPECTOR)
    assert await send_reminders(bot.app, date(2026, 4, 28)) >= 1
    await bot.wait_until(lambda: bot.fake.sent(INSPECTOR) != [], what="delivered, no answer yet")
    await bot.restart()
    assert bot.app is not None
    assert await send_reminders(bot.app, date(2026, 4, 28)) == 0
    await bot.outbox_sent()
    assert len(bot.fake.sent(INSPECTOR)) == 1


async def test_the_overdue_list_goes_out_on_working_days_only(
    bot: BotHarness, db: Database
) -> None:
    prepare(db)
    staff(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    assert bot.app is not None
    await send_reminders(bot.app, date(2026, 5, 9))  # a Saturday, round 1 overdue
    assert bot.fake.sent(SECRETARY) == []
    await send_reminders(bot.app, date(2026, 5, 11))  # the Monday after
    await bot.outbox_sent()
    assert "Courtesy results overdue" in bot.fake.last_text(SECRETARY)


async def test_an_inspector_who_blocked_the_bot_is_marked_blocked_and_not_retried(
    bot: BotHarness, db: Database
) -> None:
    prepare(db)
    assert bot.app is not None
    bot.fake.block(INSPECTOR)
    await send_reminders(bot.app, date(2026, 4, 28))
    await bot.outbox_sent()
    with db.transaction() as session:
        person = session.exec(select(Person).where(Person.telegram_id == INSPECTOR)).one()
        assert person.blocked
        claimed = session.exec(select(Delivery).where(Delivery.chat_id == INSPECTOR)).all()
    assert [row.status for row in claimed] == ["blocked"]
    assert await send_reminders(bot.app, date(2026, 4, 28)) == 0
