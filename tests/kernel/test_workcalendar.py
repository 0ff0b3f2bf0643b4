"""Taiwan's official work calendar, pinned on known days of 2025 and 2026."""

from __future__ import annotations

from datetime import date

from kernel.workcalendar import (
    add_working_days,
    is_working_day,
    previous_working_day,
    working_days_between,
)


def test_lunar_new_year_2025_is_off_and_the_make_up_saturday_is_a_workday() -> None:
    for day in range(25, 32):
        assert not is_working_day(date(2025, 1, day))
    assert not is_working_day(date(2025, 2, 2))
    assert is_working_day(date(2025, 2, 3))
    assert is_working_day(date(2025, 2, 8))  # Saturday, 補行上班日


def test_lunar_new_year_2026_holidays() -> None:
    for day in range(14, 23):
        assert not is_working_day(date(2026, 2, day)), day
    assert is_working_day(date(2026, 2, 23))


def test_adding_working_days_skips_the_new_year_break() -> None:
    assert add_working_days(date(2026, 2, 12), 1) == date(2026, 2, 13)
    assert add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert add_working_days(date(2025, 2, 7), 1) == date(2025, 2, 8)


def test_counting_and_previous_day_agree() -> None:
    start = date(2026, 1, 5)
    end = add_working_days(start, 30)
    assert working_days_between(start, end) == 30
    assert previous_working_day(date(2026, 2, 23)) == date(2026, 2, 13)
