"""Survey reports: a periodic survey (`survey report ID`) or the case follow-ups of a period
(`survey report --cases --period 2027-H1`), as one HTML page, one CSV per table and a PNG.

Both give invitations, responses and the response rate; per question (for cases: per kind,
unit and on time vs late) the mean, the distribution and the share satisfied (4 or 5) with its
95% Wilson interval, lowest first; the comments, sorted by text and without anyone's identity;
and the trend against the previous survey of the same template (for cases: the previous
period). The figures are read by question or by group (`storage/queries/surveys.py`), never
beside a person. The figures and their three renderings (page, CSV, chart) stay in one module,
past 500 lines, because a column added to one must be added to the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlmodel import Session

from bot.surveys.statistics import Figures, count_scores, figures_of
from kernel import charts, csvfiles
from kernel.errors import UserError
from kernel.i18n import catalogue
from kernel.pages import page, render_page
from kernel.periods import Period
from kernel.reporting import (
    TAIPEI,
    format_day,
    format_period,
    format_stamp,
    plain,
    produced_now,
    pyplot,
    roc_year,
    use_roc,
)
from storage.models import Survey, SurveyQuestion
from storage.models.cases import CaseKind
from storage.models.surveys import QuestionKind
from storage.queries import surveys as q

BAR = "#1f4e99"
LINE = "#b3261e"


@dataclass(frozen=True)
class Row:
    """One line of figures: a question, or a group of case follow-ups."""

    label: str
    label_en: str
    figures: Figures
    asked: int | None = None
    previous: float | None = None
    """The mean in the previous survey (or period), when there is one."""

    @property
    def change(self) -> float | None:
        if self.previous is None or self.figures.mean is None:
            return None
        return round(self.figures.mean - self.previous, 2)

    @property
    def rate_pct(self) -> float | None:
        if not self.asked:
            return None
        return round(100 * self.figures.responses / self.asked, 1)


@dataclass(frozen=True)
class TrendRow:
    label: str
    invited: int
    responses: int
    figures: Figures


@dataclass
class Report:
    name: str
    language: str
    roc: bool
    title: str
    period: str
    invited: int
    responded: int
    finished: int | None
    items: list[Row]
    groups: list[tuple[str, list[Row]]] = field(default_factory=list)
    comments: list[tuple[str, str]] = field(default_factory=list)
    trend: list[TrendRow] = field(default_factory=list)
    subject: str | None = None
    """The survey's own title, as staff wrote it (in whatever language)."""

    @property
    def rate_pct(self) -> float | None:
        return round(100 * self.responded / self.invited, 1) if self.invited else None

    @property
    def chart_rows(self) -> list[Row]:
        """What the chart draws: the questions, or for cases every group."""
        if self.groups:
            return [row for _, rows in self.groups for row in rows]
        return self.items

    def tr(self, key: str, **values: Any) -> str:
        return plain(self.language, f"surveys.report.{key}", **values)


def lowest_first(rows: Iterable[Row]) -> list[Row]:
    """Rows by mean, lowest first; rows without answers last, in their order."""
    listed = list(rows)
    return sorted(
        listed,
        key=lambda r: (r.figures.mean is None, r.figures.mean or 0.0, listed.index(r)),
    )


def _day(moment: datetime | None, language: str, roc: bool) -> str:
    return format_day(moment.astimezone(TAIPEI).date(), language, roc=roc) if moment else "—"


# --- a periodic survey ---------------------------------------------------------------------


def item_name(question: SurveyQuestion, language: str) -> str:
    """A template question's short name (洽公環境), else the question as asked."""
    key = f"surveys.item.{question.code}"
    if key in catalogue(language):
        return plain(language, key)
    return question.text_zh if language == "zh-TW" else question.text_en


def _pooled(scores: dict[int, dict[int, int]], question_ids: Iterable[int]) -> Figures:
    total: dict[int, int] = {}
    for qid in question_ids:
        for score, count in scores.get(qid, {}).items():
            total[score] = total.get(score, 0) + count
    return figures_of(total)


def _overall(session: Session, survey: Survey) -> tuple[Figures, dict[str, float | None]]:
    """A survey's overall figures (its `overall` question, else every scale answer) and the
    mean of each question by code."""
    assert survey.id is not None
    questions = q.fetch_questions(session=session, survey_id=survey.id)
    scores = q.fetch_score_counts(session=session, survey_id=survey.id)
    scale = [x for x in questions if x.kind == QuestionKind.SCALE and x.id is not None]
    overall = [x.id for x in scale if x.code == "overall"] or [x.id for x in scale]
    means = {x.code: figures_of(scores.get(x.id or 0, {})).mean for x in scale}
    return _pooled(scores, [i for i in overall if i is not None]), means


def build_survey_report(
    *, session: Session, survey_id: int, language: str, western: bool = False
) -> Report:
    """The report of one survey, against the previous survey of its template."""
    survey = q.fetch_survey(session=session, survey_id=survey_id)
    if survey is None:
        raise UserError("surveys.errors.unknown_survey", survey=survey_id)
    roc = use_roc(language, western=western)
    questions = q.fetch_questions(session=session, survey_id=survey_id)
    scores = q.fetch_score_counts(session=session, survey_id=survey_id)
    counts = q.count_responses(session=session, survey_ids=[survey_id])[survey_id]
    previous = q.fetch_previous_survey(session=session, survey=survey)
    before = _overall(session, previous) if previous is not None else None
    items = [
        Row(
            label=item_name(x, language),
            label_en=item_name(x, "en"),
            figures=figures_of(scores.get(x.id or 0, {})),
            previous=before[1].get(x.code) if before else None,
        )
        for x in questions
        if x.kind == QuestionKind.SCALE
    ]
    names = {x.id: item_name(x, language) for x in questions}
    comments = [
        (names.get(qid, ""), text)
        for qid, text in q.fetch_texts(session=session, survey_id=survey_id)
    ]
    trend = []
    if previous is not None and before is not None and previous.id is not None:
        prev_counts = q.count_responses(session=session, survey_ids=[previous.id])[previous.id]
        trend.append(
            TrendRow(
                label=plain(
                    language,
                    "surveys.report.trend_label",
                    title=previous.title,
                    day=_day(previous.sent_at, language, roc),
                ),
                invited=prev_counts.invited,
                responses=prev_counts.responded,
                figures=before[0],
            )
        )
    trend.append(
        TrendRow(
            label=plain(
                language,
                "surveys.report.trend_label",
                title=survey.title,
                day=_day(survey.sent_at, language, roc),
            ),
            invited=counts.invited,
            responses=counts.responded,
            figures=_overall(session, survey)[0],
        )
    )
    sent = _day(survey.sent_at, language, roc)
    closed = _day(survey.closed_at, language, roc) if survey.closed_at else None
    return Report(
        name=f"survey-{survey_id}",
        language=language,
        roc=roc,
        title=plain(language, "surveys.report.title", survey=survey_id),
        subject=survey.title,
        period=f"{sent} – {closed}" if closed else sent,
        invited=counts.invited,
        responded=counts.responded,
        finished=counts.finished,
        items=lowest_first(items),
        comments=comments,
        trend=trend,
    )


# --- case follow-ups of a period -----------------------------------------------------------


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
    *,
    session: Session,
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


# --- files ---------------------------------------------------------------------------------


def _draw(report: Report, axes: Any, lang: str) -> None:
    """Share satisfied per question (or group), lowest mean first, with its 95% interval."""
    rows = [r for r in report.chart_rows if r.figures.satisfied is not None]
    if not rows:
        axes.text(0.5, 0.5, plain(lang, "surveys.report.no_answers"), ha="center", va="center")
        axes.set_axis_off()
        return
    names = [r.label if lang == report.language else r.label_en for r in rows]
    values = [100 * (r.figures.satisfied or 0.0) for r in rows]
    lows = [v - 100 * (r.figures.low or 0.0) for v, r in zip(values, rows, strict=True)]
    highs = [100 * (r.figures.high or 0.0) - v for v, r in zip(values, rows, strict=True)]
    positions = list(range(len(rows)))
    bars = axes.barh(positions, values, color=BAR, xerr=[lows, highs], ecolor=LINE, capsize=3)
    axes.set_yticks(positions, names)
    axes.bar_label(bars, fmt="%.0f%%", padding=4, fontsize=8, label_type="center", color="white")
    axes.set_xlim(0, 100)
    axes.set_xlabel(plain(lang, "surveys.report.axis_satisfied"))
    axes.invert_yaxis()


def _figure(report: Report, lang: str) -> Any:
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(8, 1.4 + 0.4 * max(3, len(report.chart_rows))), dpi=100)
    _draw(report, axes, lang)
    axes.set_title(plain(lang, "surveys.report.chart"))
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure


def chart_svg(report: Report) -> Markup:
    figure = _figure(report, report.language)
    try:
        return charts.inline_svg(figure, label=report.tr("chart"), key=f"{report.name}-chart")
    finally:
        pyplot().close(figure)


def render_html(report: Report, *, produced: datetime | None = None) -> str:
    return render_page(
        "reports/survey.html.j2",
        page=page(report.language, report.title, produced or produced_now(), roc=report.roc),
        r=report,
        L=report.tr,
        chart=chart_svg(report),
    )


def _figure_cells(row: Row) -> list[object]:
    f = row.figures
    return [
        f.responses,
        f.mean_2,
        *f.distribution,
        f.satisfied_pct,
        f.low_pct,
        f.high_pct,
        csvfiles.fixed(row.previous),
        csvfiles.fixed(row.change),
    ]


def csv_tables(report: Report) -> list[tuple[str, str, list[str], list[list[object]]]]:
    """(file suffix, table name, header, rows) of each CSV."""
    tr = report.tr
    figures_header = [
        tr("responses"),
        tr("mean"),
        *[tr("score_n", score=s) for s in range(1, 6)],
        tr("satisfied_pct"),
        tr("ci_low_pct"),
        tr("ci_high_pct"),
        tr("previous_mean"),
        tr("change"),
    ]
    tables: list[tuple[str, str, list[str], list[list[object]]]] = [
        (
            "items",
            tr("items"),
            [tr("question"), *figures_header],
            [[r.label, *_figure_cells(r)] for r in report.items],
        )
    ]
    if report.groups:
        rows: list[list[object]] = [
            [tr(key), r.label, r.asked, r.rate_pct, *_figure_cells(r)]
            for key, group in report.groups
            for r in group
        ]
        tables.append(
            (
                "groups",
                tr("groups"),
                [tr("grouped_by"), tr("group"), tr("asked"), tr("rate_pct"), *figures_header],
                rows,
            )
        )
    tables.append(
        (
            "comments",
            tr("comments"),
            [tr("question"), tr("comment")],
            [list(c) for c in report.comments],
        )
    )
    tables.append(
        (
            "trend",
            tr("trend"),
            [tr("survey"), tr("invited"), tr("responses"), tr("mean"), tr("satisfied_pct")],
            [
                [t.label, t.invited, t.responses, t.figures.mean_2, t.figures.satisfied_pct]
                for t in report.trend
            ],
        )
    )
    return tables


def write_csvs(report: Report, out: Path, *, produced: datetime) -> list[Path]:
    stamp = format_stamp(produced, report.language, roc=report.roc)
    paths = []
    for suffix, table, header, rows in csv_tables(report):
        caption = plain(
            report.language,
            "reports.csv_caption",
            title=report.title,
            table=table,
            period=report.period,
            stamp=stamp,
        )
        paths.append(
            csvfiles.write_csv(out / f"{report.name}-{suffix}.csv", caption, header, rows)
        )
    return paths


def write_png(report: Report, path: Path) -> Path:
    """The chart for chat."""
    figure = _figure(report, report.language)
    try:
        figure.savefig(path, dpi=100)
    finally:
        pyplot().close(figure)
    return path


def write_report(report: Report, out: Path, *, produced: datetime | None = None) -> list[Path]:
    """The HTML page, one CSV per table and the PNG in `out`; their paths in that order."""
    out.mkdir(parents=True, exist_ok=True)
    when = produced or produced_now()
    html = out / f"{report.name}.html"
    html.write_text(render_html(report, produced=when), encoding="utf-8")
    return [
        html,
        *write_csvs(report, out, produced=when),
        write_png(report, out / f"{report.name}.png"),
    ]
