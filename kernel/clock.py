"""The clock: aware datetimes only, and local dates in the branch's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(UTC)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The calendar date of `moment` in `tz`."""
    return moment.astimezone(tz).date()


def today(tz: ZoneInfo) -> date:
    """Today's date in `tz`."""
    return local_date(utcnow(), tz)
