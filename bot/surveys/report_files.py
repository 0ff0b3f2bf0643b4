"""A survey report written out: the HTML page (its chart inline), one CSV per table (-items,
-groups for cases, -findings and -followed for a periodic survey, -comments, -trend) and the
chart as PNG for chat. Its tables are declared once (`kernel.tables`): a question's figures and
a group's are the same columns; a periodic survey's questions add the finding column."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from markupsafe import Markup

from bot.surveys.reports import BAR, LINE, FindingRow, FollowRow, Report, Row, TrendRow
from kernel import charts
from kernel.pages import page, render_page
from kernel.reporting import (
    plain,
    produced_now,
    pyplot,
)
from kernel.tables import Column, CsvTable, Kind, ReportFiles, Table, write_report_files


def _answers(score: int) -> Callable[[Row], int]:
    return lambda row: row.figures.distribution[score - 1]


def _interval(row: Row) -> tuple[float, float] | None:
    f = row.figures
    return None if f.low is None or f.high is None else (f.low, f.high)


FIGURES: tuple[Column[Row], ...] = (
    Column("surveys.report.responses", lambda r: r.figures.responses, Kind.COUNT),
    Column("surveys.report.mean", lambda r: r.figures.mean, Kind.MEAN),
    *(
        Column("surveys.report.score_n", _answers(s), Kind.COUNT, values=(("score", s),))
        for s in range(1, 6)
    ),
    Column(
        "surveys.report.satisfied",
        lambda r: r.figures.satisfied,
        Kind.PERCENT,
        css="n",
        signed=True,
        csv_headers=("surveys.report.satisfied_pct",),
    ),
    Column(
        "surveys.report.ci",
        _interval,
        Kind.INTERVAL,
        signed=True,
        csv_headers=("surveys.report.ci_low_pct", "surveys.report.ci_high_pct"),
    ),
    Column("surveys.report.previous_mean", attrgetter("previous"), Kind.MEAN),
    Column("surveys.report.change", attrgetter("change"), Kind.CHANGE),
)
"""A line's figures: responses, mean, each score's answers, the share satisfied with its 95%
interval, and the mean before with the change."""

ITEMS: Table[Row] = Table(
    "surveys.report.items",
    (Column("surveys.report.question", attrgetter("label"), Kind.TEXT), *FIGURES),
    empty=None,
)
"""Each question, lowest mean first."""

SURVEY_ITEMS: Table[Row] = replace(
    ITEMS,
    columns=(
        *ITEMS.columns,
        Column("surveys.report.finding", attrgetter("finding"), Kind.TEXT, css=""),
    ),
)
"""A periodic survey's questions: the figures and, in words, why an item is a finding."""

FINDINGS: Table[FindingRow] = Table(
    "surveys.report.findings",
    (
        Column("surveys.report.question", attrgetter("item"), Kind.TEXT),
        Column("surveys.report.satisfied_pct", attrgetter("satisfied"), Kind.PERCENT, css="n"),
        Column("surveys.report.finding", attrgetter("why"), Kind.TEXT, css=""),
        Column("surveys.report.action", attrgetter("action"), Kind.COUNT),
        Column("surveys.report.unit", attrgetter("unit"), Kind.TEXT, css=""),
        Column("surveys.report.plan", attrgetter("plan"), Kind.TEXT, css=""),
        Column("surveys.report.due", attrgetter("due"), Kind.TEXT, css="nowrap"),
        Column("surveys.report.state", attrgetter("state"), Kind.TEXT, css=""),
        Column("surveys.report.verification", attrgetter("verification"), Kind.TEXT, css=""),
    ),
    empty="surveys.report.no_findings",
)
"""Each finding with its improvement action: owner unit, plan, due date, state, verification."""

FOLLOWED: Table[FollowRow] = Table(
    "surveys.report.followed",
    (
        Column("surveys.report.question", attrgetter("item"), Kind.TEXT),
        Column("surveys.report.before_pct", attrgetter("before"), Kind.PERCENT, css="n"),
        Column("surveys.report.finding", attrgetter("why"), Kind.TEXT, css=""),
        Column("surveys.report.actions", attrgetter("actions"), Kind.TEXT, css=""),
        Column("surveys.report.now_pct", attrgetter("now"), Kind.PERCENT, css="n"),
        Column("surveys.report.change_pp", attrgetter("change"), Kind.FIGURE),
    ),
    empty="surveys.report.no_previous_findings",
)
"""The previous survey's findings: how their actions stand and the item's share now."""


def items_table(report: Report) -> Table[Row]:
    """The questions' table: a periodic survey's marks its findings."""
    return ITEMS if report.threshold is None else SURVEY_ITEMS


GROUP: Table[Row] = Table(
    "surveys.report.groups",
    (
        Column("surveys.report.group", attrgetter("label"), Kind.TEXT),
        Column("surveys.report.asked", attrgetter("asked"), Kind.COUNT),
        Column(
            "surveys.report.rate",
            attrgetter("rate"),
            Kind.PERCENT,
            css="n",
            signed=True,
            csv_headers=("surveys.report.rate_pct",),
        ),
        *FIGURES,
    ),
    empty="surveys.report.none",
)
"""The case follow-ups of each group (kind, unit, on time or late): asked, the response rate
and the figures; shown once per grouping under its own caption."""

COMMENTS: Table[tuple[str, str]] = Table(
    "surveys.report.comments",
    (
        Column("surveys.report.question", itemgetter(0), Kind.TEXT),
        Column("surveys.report.comment", itemgetter(1), Kind.TEXT, css=""),
    ),
    empty=None,
)
"""The comments, by question, without anyone's identity."""

TREND: Table[TrendRow] = Table(
    "surveys.report.trend",
    (
        Column("surveys.report.survey", attrgetter("label"), Kind.TEXT),
        Column("surveys.report.invited", attrgetter("invited"), Kind.COUNT),
        Column("surveys.report.responses", attrgetter("responses"), Kind.COUNT),
        Column("surveys.report.mean", lambda t: t.figures.mean, Kind.MEAN),
        Column(
            "surveys.report.satisfied_pct", lambda t: t.figures.satisfied, Kind.PERCENT, css="n"
        ),
    ),
    empty=None,
)
"""This survey (or period) and the earlier ones: invited, answered, mean, share satisfied."""


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
        items=items_table(report),
        findings=FINDINGS,
        followed=FOLLOWED,
        groups=[
            (replace(GROUP, caption=f"surveys.report.{key}"), rows) for key, rows in report.groups
        ],
        comments=COMMENTS,
        trend=TREND,
    )


def csv_tables(report: Report) -> list[CsvTable]:
    """Each CSV of the report: one table per file; the groups in one, each row saying its
    grouping."""
    lang, roc = report.language, report.roc
    tables = [items_table(report).csv("items", report.items, lang, roc=roc)]
    if report.groups:
        rows = [
            [report.tr(key), *cells]
            for key, group in report.groups
            for cells in GROUP.csv_rows(group, lang, roc=roc)
        ]
        header = [report.tr("grouped_by"), *GROUP.header(lang)]
        tables.append(CsvTable("groups", report.tr("groups"), header, rows))
    if report.threshold is not None:
        tables.append(FINDINGS.csv("findings", report.findings, lang, roc=roc))
        if len(report.trend) > 1:
            tables.append(FOLLOWED.csv("followed", report.followed, lang, roc=roc))
    tables.append(COMMENTS.csv("comments", report.comments, lang, roc=roc))
    tables.append(TREND.csv("trend", report.trend, lang, roc=roc))
    return tables


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
    files = ReportFiles(
        stem=report.name,
        language=report.language,
        roc=report.roc,
        title=report.title,
        period=report.period,
        page=lambda when: render_html(report, produced=when),
        tables=csv_tables(report),
        chart=lambda path: write_png(report, path),
    )
    return write_report_files(files, out, produced=produced)
