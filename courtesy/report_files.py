"""A courtesy report written out: ``courtesy-<name>.html`` (Jinja2, autoescaped, charts inline
as SVG), one CSV per table (``-units.csv``, ``-items.csv``, ``-trend.csv``; UTF-8 with BOM, see
`kernel.csvfiles`) and the charts as ``.png`` for chat. A round with no results yet still gets
its files, saying so. The figures are `courtesy/reports.py`; each table's columns are declared
once here (`kernel.tables`) and read by the page and the CSV alike.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import Any

from markupsafe import Markup

from courtesy.reports import (
    ActionRow,
    ItemRow,
    OverdueRow,
    PeriodFigures,
    Report,
    TrendRow,
    UnitRow,
)
from courtesy.rubric import grade_label
from kernel import charts
from kernel.pages import page, render_page
from kernel.reporting import plain, produced_now, pyplot
from kernel.tables import Column, CsvTable, Kind, ReportFiles, Table, write_report_files


def _share(percent: float | None) -> float | None:
    """A pass rate kept as a number of percent (87.5), as the share a table's kind takes."""
    return None if percent is None else percent / 100


UNITS: Table[UnitRow] = Table(
    "courtesy.report.label.units",
    (
        Column("courtesy.report.label.unit", attrgetter("name"), Kind.TEXT),
        Column("courtesy.report.label.calls", attrgetter("calls"), Kind.COUNT),
        Column("courtesy.report.label.scored", attrgetter("scored"), Kind.COUNT),
        Column("courtesy.report.label.average", attrgetter("average"), Kind.FIGURE),
        Column("courtesy.report.label.grade", attrgetter("grade"), Kind.TEXT, css=""),
        Column(
            "reports.courtesy.pass_rate_pct", lambda u: _share(u.pass_rate), Kind.PERCENT, css="n"
        ),
    ),
    empty="courtesy.report.label.none",
)
"""Each unit's calls, results, average, grade and pass rate, with the total."""

SUMMARY: Table[UnitRow] = Table(
    "courtesy.report.label.summary", UNITS.columns[1:], row_header=False, empty=None
)
"""The units table's total row alone, at the top of the page."""

TREND: Table[TrendRow] = Table(
    "courtesy.report.label.trend",
    (
        Column("courtesy.report.label.round", attrgetter("label"), Kind.CODE),
        Column("courtesy.report.label.scored", attrgetter("scored"), Kind.COUNT),
        Column("courtesy.report.label.average", attrgetter("average"), Kind.FIGURE),
        Column(
            "reports.courtesy.pass_rate_pct", lambda t: _share(t.pass_rate), Kind.PERCENT, css="n"
        ),
    ),
    empty=None,
)
"""The rounds so far: results, average and pass rate."""

ITEMS: Table[ItemRow] = Table(
    "courtesy.report.label.items",
    (
        Column("courtesy.report.label.item", attrgetter("name"), Kind.TEXT),
        Column("courtesy.report.label.lost", attrgetter("lost"), Kind.FIGURE),
        Column("courtesy.report.label.lost_avg", attrgetter("per_call"), Kind.MEAN),
    ),
    empty="courtesy.report.label.none",
)
"""The rubric items losing points: points lost in all and per scored call."""

ACTION: tuple[Column[ActionRow], ...] = (
    Column("courtesy.report.label.action", lambda a: f"#{a.id}", Kind.CODE),
    Column("courtesy.report.label.staff", attrgetter("staff"), Kind.TEXT),
    Column("courtesy.report.label.unit", attrgetter("unit"), Kind.TEXT),
    Column("courtesy.report.label.status", attrgetter("status"), Kind.TEXT, css=""),
    Column("courtesy.report.label.opened", attrgetter("opened"), Kind.DATE),
)
"""A corrective action: its number, whose it is, its state and the day it was opened."""

ACTIONS: Table[ActionRow] = Table(
    "courtesy.report.label.actions",
    (*ACTION, Column("courtesy.report.label.repeat", attrgetter("repeat"), Kind.COUNT)),
    empty="courtesy.report.label.none",
)
"""The open corrective actions, with the how-manieth time each is for its person."""

OPENED: Table[ActionRow] = Table(
    "courtesy_period.opened_list", ACTION, empty="courtesy.report.label.none"
)
"""A period report's corrective actions opened in the period."""

CLOSED: Table[ActionRow] = replace(OPENED, caption="courtesy_period.closed_list")
"""A period report's corrective actions closed in the period."""


def _period(report: Report) -> PeriodFigures:
    assert report.period is not None
    return report.period


PROGRESS: Table[Report] = Table(
    "courtesy_period.progress",
    (
        Column("courtesy_period.target", lambda r: _period(r).target, Kind.COUNT),
        Column("courtesy_period.expected", lambda r: _period(r).expected, Kind.COUNT),
        Column("courtesy.report.label.calls", attrgetter("calls"), Kind.COUNT),
        Column("courtesy.report.label.scored", attrgetter("scored"), Kind.COUNT),
        Column("courtesy_period.opened", lambda r: len(_period(r).opened), Kind.COUNT),
        Column("courtesy_period.closed", lambda r: len(_period(r).closed), Kind.COUNT),
    ),
    row_header=False,
    empty=None,
)
"""A period report's calls against the year's target and its actions opened and closed."""

OVERDUE: Table[OverdueRow] = Table(
    "courtesy.report.label.overdue",
    (
        Column("courtesy.report.label.test", attrgetter("code"), Kind.CODE),
        Column("courtesy.report.label.day", attrgetter("day"), Kind.DATE),
        Column("courtesy.report.label.unit", attrgetter("unit"), Kind.TEXT),
        Column("courtesy.report.label.inspector", attrgetter("inspector"), Kind.TEXT),
        Column("courtesy.report.label.due", attrgetter("due"), Kind.DATE),
    ),
    empty="courtesy.report.label.none",
)
"""The calls still planned after their results were due."""


def _total(report: Report) -> UnitRow:
    total = plain(report.language, "reports.total")
    return UnitRow(
        "",
        total,
        total,
        report.calls,
        report.scored,
        report.average,
        report.grade_text,
        report.pass_rate,
    )


PASS_COLOUR = "#b3261e"


def _draw_units(report: Report, axes: Any, lang: str) -> None:
    """Average per unit as horizontal bars, unit names on the axis, the pass mark labelled."""
    tr = partial(plain, lang)
    scored = [u for u in report.units if u.average is not None]
    if not scored:
        axes.text(0.5, 0.5, tr("courtesy.report.label.no_results"), ha="center", va="center")
        axes.set_axis_off()
        return
    names = [u.name if lang == report.language else u.name_en for u in scored]
    bars = axes.barh(names, [u.average for u in scored], color="#1f4e99")
    axes.bar_label(bars, fmt="%.1f", padding=2, fontsize=8)
    axes.axvline(report.pass_mark, color=PASS_COLOUR, linestyle="--")
    axes.annotate(  # the line's label sits above the plot, clear of the bars
        tr("reports.courtesy.pass_line", mark=report.pass_mark),
        xy=(report.pass_mark, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(0, 3),
        textcoords="offset points",
        ha="center",
        va="bottom",
        color=PASS_COLOUR,
        fontsize=8,
    )
    axes.set_xlim(0, 105)
    axes.set_xlabel(tr("reports.courtesy.axis_average"))
    axes.set_ylabel(tr("courtesy.report.label.unit"))
    axes.invert_yaxis()


def _draw_trend(report: Report, axes: Any, lang: str) -> None:
    """Average over rounds, the pass mark labelled."""
    tr = partial(plain, lang)
    points = [
        (t.label if lang == report.language else t.label_en, t.average)
        for t in report.trend
        if t.average is not None
    ]
    if not points:
        axes.text(0.5, 0.5, tr("courtesy.report.label.no_results"), ha="center", va="center")
        axes.set_axis_off()
        return
    axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", color="#1f4e99")
    for x, y in points:
        axes.annotate(f"{y:.1f}", (x, y), textcoords="offset points", xytext=(0, 6), ha="center")
    axes.axhline(report.pass_mark, color=PASS_COLOUR, linestyle="--")
    axes.annotate(  # the line's label under its right end, clear of the averages above it
        tr("reports.courtesy.pass_line", mark=report.pass_mark),
        xy=(1.0, report.pass_mark),
        xycoords=("axes fraction", "data"),
        xytext=(0, -4),
        textcoords="offset points",
        ha="right",
        va="top",
        color=PASS_COLOUR,
        fontsize=8,
    )
    axes.set_ylim(0, 105)
    axes.set_xlabel(tr("courtesy.report.label.round"))
    axes.set_ylabel(tr("reports.courtesy.axis_average"))


def _figure(report: Report, which: str, lang: str) -> Any:
    plt = pyplot()
    rows = max(3, len(report.units))
    size = (8, 1.2 + 0.38 * rows) if which == "units" else (8, 3.6)
    figure, axes = plt.subplots(figsize=size, dpi=100)
    if which == "units":
        _draw_units(report, axes, lang)
        axes.set_title(plain(lang, "courtesy.report.label.chart_units"))
    else:
        _draw_trend(report, axes, lang)
        axes.set_title(plain(lang, "courtesy.report.label.chart_trend"))
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure


def chart_svgs(report: Report) -> dict[str, Markup]:
    """Both charts inside the page, in the report's language (SVG text stays text)."""
    out = {}
    for which, key in (("units", "chart_units"), ("trend", "chart_trend")):
        figure = _figure(report, which, report.language)
        try:
            label = plain(report.language, f"courtesy.report.label.{key}")
            out[which] = charts.inline_svg(figure, label=label, key=f"{report.name}-{which}")
        finally:
            pyplot().close(figure)
    return out


def render_html(report: Report, *, produced: datetime | None = None) -> str:
    return render_page(
        "reports/courtesy.html.j2",
        page=page(report.language, report.title, produced or produced_now(), roc=report.roc),
        r=report,
        L=report.labels,
        charts=chart_svgs(report),
        grade=lambda g: grade_label(g, report.language) if g else None,
        summary=SUMMARY,
        progress=PROGRESS,
        units=UNITS,
        items=ITEMS,
        trend=TREND,
        actions=ACTIONS,
        action_lists=((OPENED, report.period.opened), (CLOSED, report.period.closed))
        if report.period
        else (),
        overdue=OVERDUE,
        total=_total(report),
    )


def csv_tables(report: Report) -> list[CsvTable]:
    """Each CSV: units (with the total), items, trend."""
    lang, roc = report.language, report.roc
    return [
        UNITS.csv("units", [*report.units, _total(report)], lang, roc=roc),
        ITEMS.csv("items", report.items, lang, roc=roc),
        TREND.csv("trend", report.trend, lang, roc=roc),
    ]


def write_png(report: Report, path: Path) -> Path:
    """Both charts side by side as one PNG for chat."""
    plt = pyplot()
    figure, (left, right) = plt.subplots(
        1, 2, figsize=(13, 1.6 + 0.38 * max(8, len(report.units)))
    )
    try:
        _draw_units(report, left, report.language)
        left.set_title(plain(report.language, "courtesy.report.label.chart_units"))
        _draw_trend(report, right, report.language)
        right.set_title(plain(report.language, "courtesy.report.label.chart_trend"))
        figure.tight_layout()
        figure.savefig(path, dpi=100)
    finally:
        plt.close(figure)
    return path


def write_report(report: Report, out: Path, *, produced: datetime | None = None) -> list[Path]:
    """The report in `out`: the HTML page, one CSV per table (-units, -items, -trend) and the
    PNG of the charts; returns the paths in that order."""
    files = ReportFiles(
        stem=report.name,
        language=report.language,
        roc=report.roc,
        title=report.title,
        period=report.window,
        page=lambda when: render_html(report, produced=when),
        tables=csv_tables(report),
        chart=lambda path: write_png(report, path),
        note="" if report.has_results else report.labels.no_results,
    )
    return write_report_files(files, out, produced=produced)
