"""The clock: aware UTC now, and the local date of a moment in the branch's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from kernel.clock import local_date, today, utcnow

TAIPEI = ZoneInfo("Asia/Taipei")


def test_now_is_aware_and_in_utc() -> None:
    before = datetime.now(UTC)
    now = utcnow()
    assert now.utcoffset() == timedelta(0)
    assert before <= now <= datetime.now(UTC)


def test_the_local_date_turns_over_at_local_midnight_not_utc_midnight() -> None:
    assert local_date(datetime(2026, 3, 31, 15, 59, tzinfo=UTC), TAIPEI) == date(2026, 3, 31)
    assert local_date(datetime(2026, 3, 31, 16, 0, tzinfo=UTC), TAIPEI) == date(2026, 4, 1)


def test_today_is_the_local_date_of_now() -> None:
    assert today(TAIPEI) in {
        datetime.now(TAIPEI).date(),
        (datetime.now(TAIPEI) - timedelta(seconds=1)).date(),
    }
