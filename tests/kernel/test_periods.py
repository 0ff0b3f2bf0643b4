"""Periods: months, halves and years, parsed by one parser; their bounds, the one before,
labels, the publication deadline, and the one error for what is not a period."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from kernel.errors import UserError
from kernel.periods import (
    ASSESSED,
    HALVES_AND_YEARS,
    Kind,
    Period,
    current_assessment_period,
    last_complete_month,
    parse_month,
    parse_past_month,
    parse_period,
)

H1 = Period(2027, half=1)
YEAR = Period(2027)
TAIPEI = ZoneInfo("Asia/Taipei")


def test_each_form_is_parsed() -> None:
    assert parse_period("2027-03") == Period(2027, month=3)
    assert parse_period("2027-03").kind is Kind.MONTH
    assert parse_period("2027-H1") == H1 and parse_period("2027-h1") == H1
    assert parse_period(" 2027-h2 ") == Period(2027, half=2)
    assert parse_period("2027") == YEAR
    assert [parse_period(c).code for c in ("2027-03", "2027-H1", "2027-H2", "2027")] == [
        "2027-03",
        "2027-H1",
        "2027-H2",
        "2027",
    ]


def test_halves_and_years() -> None:
    first = parse_period("2027-H1", kinds=HALVES_AND_YEARS)
    assert (first.first, first.last, first.code) == (
        date(2027, 1, 1),
        date(2027, 6, 30),
        "2027-H1",
    )
    second = parse_period(" 2027-h2 ", kinds=HALVES_AND_YEARS)
    assert (second.first, second.last) == (date(2027, 7, 1), date(2027, 12, 31))
    year = parse_period("2027", kinds=HALVES_AND_YEARS)
    assert (year.first, year.last, year.code) == (date(2027, 1, 1), date(2027, 12, 31), "2027")
    assert first.previous().code == "2026-H2"
    assert second.previous().code == "2027-H1"
    assert year.previous().code == "2026"


def test_month_bounds_and_the_month_before() -> None:
    february = Period(2028, month=2)
    assert (february.first, february.last) == (date(2028, 2, 1), date(2028, 2, 29))
    assert Period(2027, month=1).previous() == Period(2026, month=12)
    assert february.previous() == Period(2028, month=1)
    assert february.year_month == (2028, 2)


def test_bounds_as_moments_in_the_time_zone() -> None:
    assert H1.starts(TAIPEI) == datetime(2027, 1, 1, tzinfo=TAIPEI)
    assert H1.ends(TAIPEI) == datetime(2027, 7, 1, tzinfo=TAIPEI)
    assert H1.starts(TAIPEI).astimezone(UTC) == datetime(2026, 12, 31, 16, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2027-H3",
        "2027-13",
        "2027-00",
        "abc",
        "0000",
        "1999",
        "2201",
        "2027H1",
        "27-H1",
        "2027-Q1",
        "",
        "１２３４",
        "1800",
        "27",
        "2027-1",
        "H1-2027",
        "2027-h",
    ],
)
def test_anything_else_is_refused_with_the_one_error(text: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_period(text)
    assert caught.value.key == "period.bad"
    assert caught.value.values["accepted"] == "2027-03 / 2027-H1 / 2027-H2 / 2027"


@pytest.mark.parametrize("text", ["2027-H2", "27", "2027-1", "H1-2027", "2027-h", "", "2027-03"])
def test_a_period_other_than_yyyy_h1_or_yyyy_is_refused_where_only_those_are_taken(
    text: str,
) -> None:
    with pytest.raises(UserError) as raised:
        parse_period(text, kinds=ASSESSED)
    assert raised.value.key == "period.bad"
    assert raised.value.values["accepted"] == "2027-H1 / 2027"


def test_periods_and_their_deadlines() -> None:
    assert parse_period("2027-H1", kinds=ASSESSED) == H1
    assert parse_period("2027-h1", kinds=ASSESSED) == H1
    assert parse_period("2027", kinds=ASSESSED) == YEAR
    assert H1.deadline == date(2027, 7, 15) and YEAR.deadline == date(2028, 1, 15)
    assert Period(2027, half=2).deadline == date(2028, 1, 15)
    assert (H1.first, H1.last) == (date(2027, 1, 1), date(2027, 6, 30))
    assert YEAR.last == date(2027, 12, 31)
    with pytest.raises(ValueError):
        _ = Period(2027, month=3).deadline


def test_the_assessment_period_next_due() -> None:
    assert current_assessment_period(date(2027, 1, 15)) == Period(2026)
    assert current_assessment_period(date(2027, 1, 16)) == H1
    assert current_assessment_period(date(2027, 7, 16)) == YEAR


def test_labels_in_both_languages_with_roc_years() -> None:
    assert H1.label("zh-TW", roc=True) == "116 年上半年"
    assert H1.label("zh-TW", roc=False) == "2027 年上半年"
    assert Period(2027, half=2).label("zh-TW", roc=True) == "116 年下半年"
    assert YEAR.label("zh-TW", roc=True) == "116 年度"
    assert Period(2027, month=3).label("zh-TW", roc=True) == "民國 116 年 3 月"
    assert H1.label("en", roc=False) == "first half of 2027"
    assert H1.label("en", roc=True) == "first half of 2027 (ROC 116)"
    assert Period(2027, half=2).label("en", roc=False) == "second half of 2027"
    assert YEAR.label("en", roc=False) == "year 2027"
    assert Period(2027, month=3).label("en", roc=False) == "March 2027"


TODAY = date(2026, 11, 26)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("2026-13", "period.bad"),
        ("March", "period.bad"),
        ("2026-H1", "period.bad"),
        ("2026-12", "period.future"),
    ],
)
def test_invalid_and_future_months_are_refused(text: str, key: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_past_month(text, today=TODAY)
    assert refused.value.key == key
    assert parse_past_month("2026-11", today=TODAY).year_month == (2026, 11)


def test_without_a_month_the_summary_is_of_the_last_complete_one() -> None:
    assert last_complete_month(date(2026, 1, 5)).year_month == (2025, 12)
    assert last_complete_month(date(2026, 11, 26)).year_month == (2026, 10)
    assert last_complete_month(date(2027, 1, 5)).year_month == (2026, 12)


def test_a_month_typed_into_a_record_is_yyyy_mm_within_the_records_years() -> None:
    assert parse_month("2027-07") == Period(2027, month=7)
    assert parse_month(" ２０２７－０７ ") == Period(2027, month=7)
    assert parse_month("1950-01") == Period(1950, month=1)
    assert parse_month("2099-12") == Period(2099, month=12)
    for raw in ("0000-01", "9999-12", "1949-12", "2100-01", "2027-13", "2027-00", "2027-7"):
        assert parse_month(raw) is None
    for raw in ("116-07", "2027-H1", "2027", "2027-07-01", ""):
        assert parse_month(raw) is None
