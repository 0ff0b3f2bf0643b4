"""When a duty falls due: its nominal dates each year by its recurrence, each due on the work
calendar (the last working day on or before the nominal date)."""

from __future__ import annotations

import calendar
import re
from datetime import date

from kernel import workcalendar
from kernel.errors import UserError
from storage.models import Duty, Recurrence

CYCLE = {Recurrence.QUARTERLY: 3, Recurrence.HALF_YEARLY: 6, Recurrence.YEARLY: 12}
"""Months between two occurrences of a recurrence that starts from a month."""
FIRST_MONTH = {Recurrence.QUARTERLY: 3, Recurrence.HALF_YEARLY: 6, Recurrence.YEARLY: 12}
"""The month a recurrence starts from when none is given: the end of a quarter, of the first
half-year, of the year."""
MONTH_DAY = re.compile(r"(\d{1,2})-(\d{1,2})")


def parse_dates(raw: list[str]) -> str:
    """`MM-DD` dates (at least one, each a day some year has) as stored, sorted: 05-31,11-30."""
    found = set()
    for text in raw:
        match = MONTH_DAY.fullmatch(text.strip())
        month, day = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
        if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(2024, month)[1]:
            raise UserError("duties.bad_on", value=text)
        found.add(f"{month:02d}-{day:02d}")
    if not found:
        raise UserError("duties.no_dates")
    return ",".join(sorted(found))


def points(duty: Duty) -> list[tuple[int, int]]:
    """(month, day) of every occurrence in a year, in order."""
    every = Recurrence(duty.every)
    if every is Recurrence.DATES:
        return [
            (int(m), int(d))
            for m, d in (part.split("-") for part in (duty.dates or "").split(",") if part)
        ]
    assert duty.day is not None
    if every is Recurrence.MONTHLY:
        return [(m, duty.day) for m in range(1, 13)]
    start = duty.month or FIRST_MONTH[every]
    step = CYCLE[every]
    return sorted(((start - 1 + k * step) % 12 + 1, duty.day) for k in range(12 // step))


def nominal_dates(duty: Duty, first: date, last: date) -> list[date]:
    """The duty's nominal dates from `first` to `last` (a day past a month's end is its last
    day: the 31st of June is the 30th), never before it starts."""
    found = []
    first = max(first, duty.starts_on)
    for year in range(first.year, last.year + 1):
        for month, day in points(duty):
            nominal = date(year, month, min(day, calendar.monthrange(year, month)[1]))
            if first <= nominal <= last:
                found.append(nominal)
    return sorted(found)


def due_on(nominal: date) -> date:
    """The last working day on or before `nominal`."""
    if workcalendar.is_working_day(nominal):
        return nominal
    return workcalendar.previous_working_day(nominal)


def working_days_before(due: date, days: int) -> date:
    """The working day `days` working days before `due` (`due` itself for 0)."""
    day = due
    for _ in range(days):
        day = workcalendar.previous_working_day(day)
    return day
