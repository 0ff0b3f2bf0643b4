"""Taiwan's official work calendar: national holidays and make-up workdays.

Shared by case deadlines (bot/) and courtesy-test scheduling (courtesy/), so it lives in the
lowest layer both depend on. The `holidays` package's TW calendar knows both the days off and the
Saturdays that are make-up workdays (補行上班日) as the Directorate-General of Personnel
Administration publishes them; for a year it does not have published data for, it computes the
statutory holidays and make-up workdays may still change.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from holidays.countries.taiwan import Taiwan


@lru_cache(maxsize=64)
def _calendar(year: int) -> Taiwan:
    return holidays.TW(years=range(year - 1, year + 2))  # type: ignore[return-value]


def is_working_day(day: date) -> bool:
    """True on a day offices work: weekdays that are not holidays, and make-up Saturdays."""
    return bool(_calendar(day.year).is_working_day(day))


def holiday_name(day: date) -> str | None:
    """The holiday's English name, or None."""
    name = _calendar(day.year).get(day)
    return str(name) if name else None


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """How many working days lie after `start` up to and including `end` (negative if reversed)."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def working_days_in(first: date, last: date) -> list[date]:
    """Every working day from `first` to `last`, both included."""
    days = []
    current = first
    while current <= last:
        if is_working_day(current):
            days.append(current)
        current += timedelta(days=1)
    return days


def previous_working_day(day: date) -> date:
    """The last working day strictly before `day`."""
    current = day - timedelta(days=1)
    while not is_working_day(current):
        current -= timedelta(days=1)
    return current


PUBLISHED_THROUGH = 2026
"""Last year for which the official calendar (with make-up workdays) was published when the
`holidays` data this project pins was released; later years are computed."""


def is_published(year: int) -> bool:
    """Whether the official calendar for `year` is known to be published, not only computed."""
    return year <= PUBLISHED_THROUGH
