"""What a survey report holds (bot/surveys/reports.py): a row's response rate and its change
against the previous mean, the report's response rate, the chart's rows (the groups' rows when
there are groups), rows lowest mean first with the unanswered last, and a moment written as the
day in Taiwan."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.surveys.reports import Report, Row, local_day, lowest_first
from bot.surveys.statistics import figures_of


def row(label: str, scores: dict[int, int], *, asked: int | None = None, previous=None) -> Row:  # type: ignore[no-untyped-def]
    return Row(label, label, figures_of(scores), asked=asked, previous=previous)


def report(items: list[Row], groups: list[tuple[str, list[Row]]] | None = None) -> Report:
    return Report(
        name="survey-1",
        language="en",
        roc=False,
        title="t",
        period="p",
        invited=7,
        responded=3,
        finished=2,
        items=items,
        groups=groups or [],
    )


def test_a_rows_rate_and_change_need_what_they_compare() -> None:
    answered = row("a", {4: 2, 5: 1}, asked=8, previous=3.5)
    assert answered.change == 0.83 and answered.rate_pct == 37.5 and answered.rate == 0.375
    alone = row("b", {}, asked=0, previous=4.0)
    assert alone.change is None and alone.rate_pct is None and alone.rate is None
    assert row("c", {3: 1}).change is None  # no previous survey


def test_the_report_rate_and_the_charts_rows() -> None:
    items = [row("q1", {5: 1}), row("q2", {1: 1})]
    assert report(items).rate_pct == 42.9
    assert report(items).chart_rows == items
    kinds, units = [row("k", {4: 1})], [row("u1", {2: 1}), row("u2", {3: 1})]
    grouped = report([], [("kind", kinds), ("unit", units)])
    assert grouped.chart_rows == kinds + units
    empty = report(items)
    empty.invited = 0
    assert empty.rate_pct is None


def test_rows_come_lowest_mean_first_and_the_unanswered_last_in_their_order() -> None:
    high, low, none_a, mid, none_b = (
        row("high", {5: 2}),
        row("low", {1: 1, 2: 1}),
        row("none a", {}),
        row("mid", {3: 1}),
        row("none b", {}),
    )
    ordered = lowest_first([high, none_a, low, none_b, mid])
    assert [r.label for r in ordered] == ["low", "mid", "high", "none a", "none b"]


def test_a_moment_is_the_day_in_taiwan_or_a_dash() -> None:
    late = datetime(2026, 9, 8, 17, 30, tzinfo=UTC)  # 01:30 on the 9th in Taipei
    assert local_day(late, "en", roc=False) == "2026-09-09"
    assert local_day(late, "zh-TW", roc=True) == "115/09/09"
    assert local_day(None, "en", roc=False) == "—"
