"""Deadlines on Taiwan's work calendar: days counted as working or calendar days, the final-reply
deadline, and whether a case was answered on time."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from kernel import workcalendar
from storage.models.cases import Closure


@lru_cache(maxsize=8192)
def add_days(start: date, days: int, counting: str) -> date:
    """`days` after `start`: working days on the official calendar, or calendar days."""
    if counting == "calendar":
        return start + timedelta(days=days)
    return workcalendar.add_working_days(start, days)


def days_between(start: date, end: date, counting: str) -> int:
    """Days after `start` up to and including `end`, counted the same way."""
    if counting == "calendar":
        return (end - start).days
    return workcalendar.working_days_between(start, end)


def due_date(received_on: date, reply_days: int, counting: str) -> date:
    """The final-reply deadline: `reply_days` from receipt (the day of receipt not counted)."""
    return add_days(received_on, reply_days, counting)


def closure_for(answered_on: date, due_on: date) -> Closure:
    """依限辦結 when answered on or before the deadline, else 逾限辦結."""
    return Closure.ON_TIME if answered_on <= due_on else Closure.LATE
