"""Reminders come from rows: half time, the working day before the deadline, the 09:00 overdue
list on working days; a reminder is written to the outbox once per recipient, not even again
after a restart."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlmodel import col, select

from bot.cases.actions import Action
from bot.cases.reminders import enqueue_due_reminders, half_time
from kernel import workcalendar
from storage.db import Database
from storage.models import Delivery, Notice, OutboxText, Role
from storage.models.notices import NoticeKind
from tests.factories import TZ, do, file_on, person

SECRETARY = 8001
INSPECTOR = 8002
OTHER_INSPECTOR = 8003


def at(day: date, hour: int = 9, minute: int = 5) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def outbox_reminders(db: Database) -> list[tuple[int, int, str]]:
    """(row id, chat, catalogue key) of every case reminder in the outbox."""
    with db.transaction() as session:
        rows = session.exec(
            select(Delivery.id, Delivery.chat_id, OutboxText.key)
            .join(Notice, col(Notice.id) == Delivery.notice_id)
            .join(OutboxText, col(OutboxText.id) == Notice.ref_id)
            .where(Notice.kind == NoticeKind.CASE_REMINDER.value)
            .order_by(col(Delivery.id))
        ).all()
    return [(int(i or 0), chat, key) for i, chat, key in rows]


def claim(db: Database, moment: datetime) -> list[tuple[int, str]]:
    """The reminders written to the outbox at `moment` (none written before)."""
    before = outbox_reminders(db)
    written = db.call(
        enqueue_due_reminders, now=moment, tz=TZ, counting="working", default_language="zh-TW"
    )
    new = [
        (chat, key) for row in outbox_reminders(db) if row not in before for _, chat, key in [row]
    ]
    assert written == len(new)
    return new


def setup_case(db: Database) -> tuple[str, date, date]:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    person(db, INSPECTOR, Role.INSPECTOR, unit="sec2")
    person(db, OTHER_INSPECTOR, Role.INSPECTOR, unit="sec6")
    filed = file_on(db, date(2026, 1, 16))
    do(db, filed.number, Action.ASSIGN, secretary, date(2026, 1, 16), unit="sec2")
    return filed.number, half_time(date(2026, 1, 16), filed.due_on, "working"), filed.due_on


def test_the_unit_is_reminded_at_half_time_and_the_working_day_before_once_each(
    db: Database,
) -> None:
    number, half, due = setup_case(db)
    assert due == date(2026, 3, 9)
    assert half == workcalendar.add_working_days(date(2026, 1, 16), 15)
    before_half = workcalendar.previous_working_day(half)
    assert claim(db, at(before_half)) == []
    assert claim(db, at(half, 8, 59)) == []  # not before 09:00
    assert claim(db, at(half)) == [(INSPECTOR, "reminders.half")]
    assert claim(db, at(half, 15)) == []
    eve = workcalendar.previous_working_day(due)
    assert eve == date(2026, 3, 6)  # Friday before Monday 9 March
    assert claim(db, at(eve)) == [(INSPECTOR, "reminders.eve")]
    assert claim(db, at(due)) == []
    # A restart (a new engine on the same database) sends nothing again.
    again = Database(db.url)
    try:
        assert claim(again, at(eve, 11)) == []
    finally:
        again.dispose()


def test_the_secretariat_gets_the_overdue_list_at_nine_on_working_days_only(
    db: Database,
) -> None:
    number, _, due = setup_case(db)
    saturday = date(2026, 3, 14)
    assert not workcalendar.is_working_day(saturday)
    assert claim(db, at(saturday, 10)) == []
    monday = date(2026, 3, 16)
    assert claim(db, at(monday, 8, 30)) == []
    assert claim(db, at(monday)) == [(SECRETARY, "reminders.overdue")]
    assert claim(db, at(monday, 16)) == []
    assert claim(db, at(date(2026, 3, 17))) == [(SECRETARY, "reminders.overdue")]


def test_a_paused_or_replied_case_is_not_reminded(db: Database) -> None:
    number, half, due = setup_case(db)
    secretary = person(db, SECRETARY + 10, Role.SECRETARIAT)
    do(db, number, Action.ASK_INFO, secretary, date(2026, 1, 20), text="請補充購買地點")
    assert claim(db, at(half)) == []
    assert claim(db, at(date(2026, 3, 16))) == []
