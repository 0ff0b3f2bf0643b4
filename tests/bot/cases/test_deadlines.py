"""Deadlines on Taiwan's official work calendar: holidays, make-up workdays, calendar days."""

from __future__ import annotations

from datetime import date

from bot.cases.deadlines import due_date
from kernel import workcalendar


def test_the_official_calendar_knows_lunar_new_year_2025_and_its_makeup_saturday() -> None:
    for day in range(25, 32):
        assert not workcalendar.is_working_day(date(2025, 1, day))
    assert not workcalendar.is_working_day(date(2025, 2, 1))
    assert not workcalendar.is_working_day(date(2025, 2, 2))
    assert workcalendar.is_working_day(date(2025, 2, 3))
    assert workcalendar.is_working_day(date(2025, 2, 8))  # make-up Saturday (補行上班)


def test_the_official_calendar_knows_lunar_new_year_2026() -> None:
    assert workcalendar.is_working_day(date(2026, 2, 13))
    for day in range(14, 23):
        assert not workcalendar.is_working_day(date(2026, 2, day))
    assert workcalendar.is_working_day(date(2026, 2, 23))
    assert not workcalendar.is_working_day(date(2026, 2, 27))  # 228 observed on Friday


def test_deadlines_count_working_days_across_holidays_and_makeup_workdays() -> None:
    # Friday before the 2025 break: the next working day is Monday 3 February.
    assert due_date(date(2025, 1, 24), 1, "working") == date(2025, 2, 3)
    # Friday 7 February 2025: the next working day is the make-up Saturday.
    assert due_date(date(2025, 2, 7), 1, "working") == date(2025, 2, 8)
    # 2026: Feb 23, 24, 25, 26 work, 27 is 228 observed, so the fifth is Monday 2 March.
    assert due_date(date(2026, 2, 13), 5, "working") == date(2026, 3, 2)
    # Thirty working days from 16 January 2026: 20 to 13 February, then the break (14–22),
    # 23–26 February, 228 observed on the 27th, 2–6 March, and the thirtieth is 9 March.
    assert due_date(date(2026, 1, 16), 30, "working") == date(2026, 3, 9)


def test_calendar_day_counting_ignores_holidays() -> None:
    assert due_date(date(2026, 2, 13), 30, "calendar") == date(2026, 3, 15)
