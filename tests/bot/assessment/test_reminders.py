"""The deadline reminders' rules (bot/assessment/reminders.py): the days are working days
counted back from the deadline; on such a day every secretariat member is due the latest
threshold reached, with the period's progress and their saved language; nothing on a day off,
before the first threshold, after the deadline or once the period is published; last year's
pack in January."""

from __future__ import annotations

from datetime import timedelta

from bot.assessment.reminders import DAYS_BEFORE, candidates, due_today, reminder_day
from bot.assessment.scoring import publish
from kernel import workcalendar
from kernel.periods import Period
from storage.db import Database
from storage.models import Role
from storage.queries.people import set_language
from storage.seeds import UNITS
from tests.bot.assessment.panel import H1, score
from tests.factories import person

SECRETARY = 7301
COLLEAGUE = 7302
INSPECTOR = 7303


def staff(db: Database) -> None:
    """Two secretariat members (the first reads English) and an inspector."""
    english = person(db, SECRETARY, Role.SECRETARIAT)
    db.call(set_language, person_id=english.id, language="en")
    person(db, COLLEAGUE, Role.SECRETARIAT)
    person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")


def scored(db: Database, units: list[str]) -> None:
    for unit in units:
        score(db, unit)


def test_the_reminder_days_are_working_days_counted_back_from_the_deadline() -> None:
    days = [reminder_day(H1.deadline, n) for n in (20, 10, 3)]
    assert days[0] < days[1] < days[2] < H1.deadline
    for n, day in zip((20, 10, 3), days, strict=True):
        assert workcalendar.is_working_day(day)
        assert workcalendar.working_days_between(day, H1.deadline) == n


def test_the_candidates_are_last_years_pack_and_this_years_half_and_year() -> None:
    assert candidates(H1.deadline) == [Period(2026), H1, Period(2027)]


def test_on_a_reminder_day_the_secretariat_is_due_it_with_the_periods_progress(
    db: Database,
) -> None:
    staff(db)
    scored(db, ["sec1", "sec2", "第三課"])
    twenty = reminder_day(H1.deadline, 20)
    [due] = db.call(due_today, today=twenty)
    assert (due.period, due.days, due.working_days_left) == (H1, 20, 20)
    assert due.recipients == [SECRETARY, COLLEAGUE]
    assert (due.scored, due.units) == (3, len(UNITS))
    assert due.languages == {SECRETARY: "en"}  # the colleague gets the default
    assert due.key(SECRETARY) == f"2027-H1:20:{SECRETARY}"


def test_a_day_late_only_the_latest_threshold_is_due(db: Database) -> None:
    staff(db)
    late = workcalendar.add_working_days(reminder_day(H1.deadline, 10), 1)
    [due] = db.call(due_today, today=late)
    assert (due.days, due.working_days_left) == (10, 9)  # never 20 and 10 together


def test_nothing_is_due_on_a_day_off_before_the_first_threshold_or_after_the_deadline(
    db: Database,
) -> None:
    staff(db)
    twenty = reminder_day(H1.deadline, 20)
    saturday = twenty + timedelta(days=(5 - twenty.weekday()) % 7)
    assert not workcalendar.is_working_day(saturday)
    before = workcalendar.previous_working_day(twenty)
    after = workcalendar.add_working_days(H1.deadline, 1)
    for day in (saturday, before, after):
        assert db.call(due_today, today=day) == [], day


def test_a_published_period_is_due_no_reminder(db: Database) -> None:
    staff(db)
    scored(db, [code for code, _, _ in UNITS])
    db.call(publish, period=H1, by="test", language="zh-TW")
    assert db.call(due_today, today=reminder_day(H1.deadline, 3)) == []


def test_in_january_last_years_pack_is_due(db: Database) -> None:
    staff(db)
    year = Period(2026)
    day = reminder_day(year.deadline, min(DAYS_BEFORE))
    assert day.year == 2027
    [due] = db.call(due_today, today=day)
    assert (due.period, due.days) == (year, 3)
    assert due.key(COLLEAGUE) == f"2026:3:{COLLEAGUE}"
