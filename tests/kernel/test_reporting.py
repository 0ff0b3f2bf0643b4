"""What every report writes the same way: ROC and western dates, months, periods, stamps and
rounds in both languages, and catalogue texts filled in without escaping."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kernel.reporting import (
    TAIPEI,
    babel_locale,
    format_day,
    format_month,
    format_period,
    format_round,
    format_stamp,
    plain,
    produced_now,
    roc_year,
    use_roc,
)


def test_the_roc_year_counts_from_1912() -> None:
    assert roc_year(2026) == 115
    assert roc_year(1912) == 1


def test_chinese_reports_write_roc_dates_unless_asked_for_western_ones() -> None:
    assert use_roc("zh-TW") is True
    assert use_roc("zh-TW", western=True) is False
    assert use_roc("en") is False
    assert use_roc("en", roc=True) is True


def test_a_day_is_written_as_offices_write_it() -> None:
    day = date(2026, 3, 5)
    assert format_day(day, "zh-TW", roc=True) == "115/03/05"
    assert format_day(day, "zh-TW") == "2026-03-05"
    assert format_day(day, "en", roc=True) == "115/03/05"


def test_a_month_in_both_languages_with_and_without_roc_years() -> None:
    assert format_month(2026, 11, "zh-TW", roc=True) == "民國 115 年 11 月"
    assert format_month(2026, 11, "zh-TW") == "2026 年 11 月"
    assert format_month(2026, 11, "en") == "November 2026"
    assert format_month(2026, 11, "en", roc=True) == "November 2026 (ROC 115)"


def test_a_period_and_a_stamp_read_their_days_the_same_way() -> None:
    first, last = date(2026, 9, 1), date(2026, 12, 31)
    assert format_period(first, last, "zh-TW", roc=True) == "115/09/01 – 115/12/31"
    assert format_period(first, last, "en") == "2026-09-01 – 2026-12-31"
    moment = datetime(2026, 11, 26, 9, 30, 59, tzinfo=TAIPEI)
    assert format_stamp(moment, "zh-TW", roc=True) == "115/11/26 09:30"
    assert format_stamp(moment, "en") == "2026-11-26 09:30"


def test_a_round_is_never_written_as_a_spreadsheet_would_read_a_date() -> None:
    assert format_round(2026, 1, "zh-TW", roc=True) == "115 年第 1 輪"
    assert format_round(2026, 2, "zh-TW") == "2026 年第 2 輪"
    assert format_round(2026, 1, "en") == "2026 R1"
    assert format_round(2026, 3, "en", roc=True) == "ROC 115 R3"


def test_plain_fills_values_in_as_they_are_without_escaping() -> None:
    assert plain("en", "reports.produced", stamp="<b>&now") == "Produced <b>&now"
    assert plain("zh-TW", "reports.page_of", page=2, pages=5) == "第 2 頁，共 5 頁"
    assert plain("en", "reports.page_of") == "Page {page} of {pages}"


def test_plain_falls_back_to_chinese_for_an_unknown_language() -> None:
    assert plain("fr", "reports.produced", stamp="x") == plain(
        "zh-TW", "reports.produced", stamp="x"
    )


def test_plain_names_the_missing_key_and_the_language() -> None:
    with pytest.raises(KeyError, match="no message 'reports.nothing' in the en catalogue"):
        plain("en", "reports.nothing")


def test_babel_locales_follow_the_catalogue_language() -> None:
    assert babel_locale("zh-TW") == "zh_Hant_TW"
    assert babel_locale("en") == "en_GB"


def test_produced_now_is_the_present_on_taiwans_clock() -> None:
    before = datetime.now(UTC)
    moment = produced_now()
    assert moment.utcoffset() == timedelta(hours=8)
    assert before <= moment <= datetime.now(UTC)
