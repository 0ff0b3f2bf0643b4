"""A survey report written out: the HTML page (its chart inline), one CSV per table (-items,
-groups for cases, -comments, -trend) and the chart as PNG for chat."""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

from markupsafe import Markup

from bot.surveys.reports import BAR, LINE, Report, Row, TrendRow
from kernel import charts, csvfiles
from kernel.pages import page, render_page
from kernel.reporting import (
    plain,
    produced_now,
    pyplot,
)
from kernel.tables import Column, CsvTable, Kind, ReportFiles, Table, write_report_files

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
        trend=TREND,
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


def csv_tables(report: Report) -> list[CsvTable]:
    """Each CSV of the report: one table per file."""
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
    tables: list[CsvTable] = [
        CsvTable(
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
            CsvTable(
                "groups",
                tr("groups"),
                [tr("grouped_by"), tr("group"), tr("asked"), tr("rate_pct"), *figures_header],
                rows,
            )
        )
    tables.append(
        CsvTable(
            "comments",
            tr("comments"),
            [tr("question"), tr("comment")],
            [list(c) for c in report.comments],
        )
    )
    tables.append(TREND.csv("trend", report.trend, report.language, roc=report.roc))
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
