"""When the case question is due: ten o'clock on the next working day after the case closed."""

from __future__ import annotations

from datetime import date, datetime

from bot.surveys.followups import due_at
from tests.factories import TZ


def test_the_question_is_due_at_ten_on_the_next_working_day() -> None:
    # Friday → Monday; before the Lunar New Year 2026 (14–22 February) → 23 February.
    assert due_at(date(2026, 11, 6), TZ) == datetime(2026, 11, 9, 10, tzinfo=TZ)
    assert due_at(date(2026, 2, 13), TZ) == datetime(2026, 2, 23, 10, tzinfo=TZ)
    assert due_at(date(2026, 11, 10), TZ) == datetime(2026, 11, 11, 10, tzinfo=TZ)
