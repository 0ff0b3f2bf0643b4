"""The case follow-ups of a half-year or year (`survey report --cases --period 2027-H1`):
overall, by kind, by unit and on time vs late, against the previous period of the same
length."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.surveys.reports import Report, Row, TrendRow, lowest_first
from bot.surveys.statistics import count_scores, figures_of
from kernel.periods import Period
from kernel.reporting import (
    TAIPEI,
    format_period,
    plain,
    roc_year,
    use_roc,
)
from storage.models.cases import CaseKind
from storage.queries import surveys as q


def _group(
    rows: list[q.FollowUpRow],
    key: Callable[[q.FollowUpRow], Any],
    labels: dict[Any, tuple[str, str]],
    previous: dict[Any, float | None],
) -> list[Row]:
    keys = list(dict.fromkeys(key(r) for r in rows))
    out = []
    for k in keys:
        mine = [r for r in rows if key(r) == k]
        label, label_en = labels.get(k, ("—", "—"))
        out.append(
            Row(
                label=label,
                label_en=label_en,
                figures=figures_of(count_scores(r.score for r in mine)),
                asked=len(mine),
                previous=previous.get(k),
            )
        )
    return lowest_first(out)


def _means(
    rows: list[q.FollowUpRow], key: Callable[[q.FollowUpRow], Any]
) -> dict[Any, float | None]:
    out: dict[Any, float | None] = {}
    for k in dict.fromkeys(key(r) for r in rows):
        out[k] = figures_of(count_scores(r.score for r in rows if key(r) == k)).mean
    return out


def period_label(period: Period, language: str, roc: bool) -> str:
    year = roc_year(period.year) if roc else period.year
    which = f"h{period.half}" if period.half else "year"
    return plain(language, f"surveys.report.period_{which}", year=year)


def build_case_report(
    session: Session,
    *,
    period: Period,
    language: str,
    tz: ZoneInfo = TAIPEI,
    western: bool = False,
) -> Report:
    """The case follow-ups asked in `period`: overall, by kind, by unit and on time vs late,
    against the previous period of the same length."""
    roc = use_roc(language, western=western)
    start, end = period.starts(tz), period.ends(tz)
    rows = q.fetch_follow_up_rows(session=session, asked_from=start, asked_before=end)
    earlier = period.previous()
    p_start, p_end = earlier.starts(tz), earlier.ends(tz)
    before = q.fetch_follow_up_rows(session=session, asked_from=p_start, asked_before=p_end)
    units = {u.id: (u.name_in(language), u.name_en) for u in q.fetch_units(session=session)}
    kinds = {
        k.value: (plain(language, f"cases.kinds.{k.value}"), plain("en", f"cases.kinds.{k.value}"))
        for k in CaseKind
    }
    timeliness = {
        True: (plain(language, "surveys.report.on_time"), plain("en", "surveys.report.on_time")),
        False: (plain(language, "surveys.report.late"), plain("en", "surveys.report.late")),
    }
    by_kind: Callable[[q.FollowUpRow], Any] = lambda r: r.kind  # noqa: E731
    by_unit: Callable[[q.FollowUpRow], Any] = lambda r: r.unit_id  # noqa: E731
    by_time: Callable[[q.FollowUpRow], Any] = lambda r: r.on_time  # noqa: E731
    overall = figures_of(count_scores(r.score for r in rows))
    previous_overall = figures_of(count_scores(r.score for r in before))
    question = plain(language, "surveys.report.case_question")
    items = [
        Row(
            label=question,
            label_en=plain("en", "surveys.report.case_question"),
            figures=overall,
            asked=len(rows),
            previous=previous_overall.mean,
        )
    ]
    groups = [
        ("by_kind", _group(rows, by_kind, kinds, _means(before, by_kind))),
        ("by_unit", _group(rows, by_unit, units, _means(before, by_unit))),
        ("by_time", _group(rows, by_time, timeliness, _means(before, by_time))),
    ]
    comments = [
        (question, text)
        for text in q.fetch_follow_up_comments(session=session, asked_from=start, asked_before=end)
    ]
    trend = [
        TrendRow(
            period_label(earlier, language, roc),
            len(before),
            previous_overall.responses,
            previous_overall,
        ),
        TrendRow(period_label(period, language, roc), len(rows), overall.responses, overall),
    ]
    responded = overall.responses
    return Report(
        name=f"case-survey-{period.code}",
        language=language,
        roc=roc,
        title=plain(
            language, "surveys.report.case_title", period=period_label(period, language, roc)
        ),
        period=format_period(period.first, period.last, language, roc=roc),
        invited=len(rows),
        responded=responded,
        finished=None,
        items=items,
        groups=groups,
        comments=comments,
        trend=trend,
    )
