"""One parser for the dates people import: ISO or ROC, sane years, full-width digits (a month
typed the same way is `kernel.periods.parse_month`, tested with the periods)."""

from __future__ import annotations

from datetime import date

import pytest

from kernel.dates import parse_day


def test_iso_and_roc_days_are_read_and_full_width_digits_normalised() -> None:
    assert parse_day("2026-03-31") == date(2026, 3, 31)
    assert parse_day(" 115/03/31 ") == date(2026, 3, 31)
    assert parse_day("99/1/2") == date(2010, 1, 2)
    assert parse_day("１１５／０３／３１") == date(2026, 3, 31)
    assert parse_day("２０２６－０３－３１") == date(2026, 3, 31)


@pytest.mark.parametrize(
    "raw",
    [
        "2026-W53-7",
        "2026-090",
        "999/12/31",
        "9999-12-31",
        "0001-01-01",
        "115/02/30",
        "31/03/2026",
        "2026/03/31",
        "115-03-31",
        "20260331",
        "",
        "2026-3-31",
    ],
)
def test_impossible_or_absurd_days_are_refused(raw: str) -> None:
    assert parse_day(raw) is None
