"""The half-year or year complaint analysis written out: the page (HTML with its chart inline),
one CSV per table (-months, -counts, -units, -targets, -overdue, -training), the chart as PNG
and the short chat text; the pack's training section (sessions, hours, attendees against the
year's target) is here too. Its tables are declared once (`kernel.tables`); the overdue list
and the products are shared with the monthly summary (`report_tables.py`)."""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

from bot.cases.periods import MonthRow, PeriodAnalysis, Row, TargetRow, TrainingRow
from bot.cases.report_tables import OVERDUE, TOP_PRODUCTS, targets_note
from kernel import charts
from kernel.i18n import t
from kernel.pages import page, render_page
from kernel.reporting import (
    format_day,
    format_period,
    plain,
    produced_now,
    pyplot,
    roc_year,
    use_roc,
)
from kernel.tables import (
    Column,
    CsvTable,
    Kind,
    ReportFiles,
    Table,
    decimal,
    percent_sign,
    write_report_files,
)

MONTHS: Table[MonthRow] = Table(
    "period.by_month",
    (
        Column("period.month_col", attrgetter("label"), Kind.CODE),
        Column("period.received", attrgetter("received"), Kind.COUNT),
        Column("period.handled", attrgetter("handled"), Kind.COUNT),
        Column("period.on_time", attrgetter("on_time"), Kind.COUNT),
    ),
    empty=None,
)
"""Received, handled and handled on time, month by month, with their total."""

COUNTS: Table[Row] = Table(
    "period.by_kind",
    (
        Column("reports.summary.kind", attrgetter("label"), Kind.TEXT),
        Column("period.received", attrgetter("received"), Kind.COUNT),
        Column("period.handled", attrgetter("handled"), Kind.COUNT),
        Column("period.on_time", attrgetter("on_time"), Kind.COUNT),
        Column("period.open", attrgetter("open_at_end"), Kind.COUNT),
    ),
)
"""Received, handled, on time and open at the end, per kind (and, renamed, per category,
channel and unit)."""

GROUPS = (
    ("period.by_kind", "reports.summary.kind", "by_kind"),
    ("period.by_category", "reports.summary.category", "by_category"),
    ("period.by_channel", "period.channel", "by_channel"),
)
"""(caption key, first header, analysis field) of each counts table on the page."""

CSV_GROUPS = (
    ("reports.summary.kind", "by_kind"),
    ("reports.summary.category", "by_category"),
    ("summary.unit", "by_unit"),
    ("period.channel", "by_channel"),
)
"""(group, analysis field) of the rows of the counts CSV."""

UNITS: Table[Row] = Table(
    "period.by_unit",
    (
        Column("summary.unit", attrgetter("label"), Kind.TEXT),
        Column("period.received", attrgetter("received"), Kind.COUNT),
        Column("period.handled", attrgetter("handled"), Kind.COUNT),
        Column("period.on_time", attrgetter("on_time"), Kind.COUNT),
        Column("period.on_time_pct", attrgetter("on_time_rate"), Kind.PERCENT),
        Column("summary.median_days", attrgetter("median_days"), Kind.DAYS),
        Column("period.overdue_at_end", attrgetter("overdue"), Kind.COUNT),
        Column("period.open", attrgetter("open_at_end"), Kind.COUNT),
    ),
)
"""Each unit: received, handled, on time (count and rate), median days to close, overdue and
open at the period's end."""

TARGETS: Table[TargetRow] = Table(
    "period.targets",
    (
        Column("reports.summary.item", attrgetter("label"), Kind.TEXT, css=""),
        Column("period.target_year", attrgetter("target"), Kind.COUNT),
        Column("period.expected", attrgetter("expected"), Kind.COUNT),
        Column("period.handled", attrgetter("handled"), Kind.COUNT),
        Column("period.share_pct", attrgetter("share"), Kind.PERCENT, css="n"),
        Column("period.received", attrgetter("received"), Kind.COUNT),
    ),
    empty=None,
)
"""The year's targets: the share due by the period's end, handled against it, received."""


TRAINING: Table[TrainingRow] = Table(
    "period.training.title",
    (
        Column("summary.unit", attrgetter("label"), Kind.TEXT),
        Column("period.training.sessions", attrgetter("sessions"), Kind.COUNT),
        Column("period.training.hours", attrgetter("hours"), Kind.FIGURE),
        Column("period.training.attendees", attrgetter("attendees"), Kind.COUNT),
        Column("period.training.target", attrgetter("target"), Kind.COUNT),
        Column("period.training.progress", attrgetter("progress"), Kind.PERCENT),
    ),
    empty=None,
)
"""Training held per unit and in all (一(一)3), the total against the year's target."""


def training_note(analysis: PeriodAnalysis, language: str, *, roc: bool) -> str | None:
    """Where the training target comes from: set for the year, or the plan's 26."""
    progress = analysis.training
    if progress is None:
        return None
    year = roc_year(analysis.year) if roc and language == "zh-TW" else analysis.year
    key = "period.training.target_plan" if progress.defaulted else "period.training.target_set"
    return plain(language, key, year=year, target=progress.target)


def _draw(analysis: PeriodAnalysis, language: str) -> Any:
    """Received, handled and handled on time per month, as grouped bars."""
    return charts.grouped_bars(
        [plain(language, "period.month", month=m.month) for m in analysis.months],
        [
            (plain(language, key), values, colour)
            for key, values, colour in (
                ("period.received", [m.received for m in analysis.months], "#1f4e99"),
                ("period.handled", [m.handled for m in analysis.months], "#3d8c40"),
                ("period.on_time", [m.on_time for m in analysis.months], "#b35900"),
            )
        ],
        title=plain(language, "period.chart_title"),
        ylabel=plain(language, "reports.summary.axis_cases"),
        value_size=7,
    )


def _title(analysis: PeriodAnalysis, language: str, roc: bool) -> str:
    return plain(language, "period.title", period=analysis.period.label(language, roc=roc))


def _month_total(analysis: PeriodAnalysis, language: str) -> MonthRow:
    return MonthRow(
        0,
        plain(language, "reports.total"),
        analysis.received,
        analysis.handled,
        analysis.on_time,
    )


def render_html(
    analysis: PeriodAnalysis, language: str, *, roc: bool, produced: datetime | None = None
) -> str:
    """The page, ROC dates when `roc`."""
    figure = _draw(analysis, language)
    try:
        chart = charts.inline_svg(
            figure, label=plain(language, "period.chart_title"), key="months"
        )
    finally:
        pyplot().close(figure)
    groups = [
        (COUNTS.renamed(caption, head), getattr(analysis, field))
        for caption, head, field in GROUPS
    ]
    title = _title(analysis, language, roc)
    return render_page(
        "reports/period.html.j2",
        page=page(language, title, produced or produced_now(), roc=roc),
        a=analysis,
        period=format_period(analysis.first, analysis.last, language, roc=roc),
        as_of=format_day(analysis.as_of, language, roc=roc),
        pct=percent_sign,
        fmt=decimal,
        chart=chart,
        groups=groups,
        months=MONTHS,
        month_total=_month_total(analysis, language),
        units=UNITS,
        targets=TARGETS,
        overdue=OVERDUE,
        products=TOP_PRODUCTS,
        targets_note=targets_note(analysis.targets_of_year, language, roc=roc),
        training=TRAINING,
        training_note=training_note(analysis, language, roc=roc),
    )


def csv_tables(analysis: PeriodAnalysis, language: str, *, roc: bool) -> list[CsvTable]:
    """Each CSV of the analysis: one table per file."""
    counts: list[list[object]] = []
    for group, field in CSV_GROUPS:
        rows = COUNTS.csv_rows(getattr(analysis, field), language, roc=roc)
        counts += [[plain(language, group), *row] for row in rows]
    months = [*analysis.months, _month_total(analysis, language)]
    counts_header = [
        plain(language, "reports.summary.group"),
        plain(language, "reports.summary.item"),
        *COUNTS.header(language)[1:],
    ]
    return [
        MONTHS.csv("months", months, language, roc=roc),
        CsvTable("counts", plain(language, "period.csv_counts"), counts_header, counts),
        UNITS.csv("units", analysis.by_unit, language, roc=roc),
        TARGETS.csv("targets", analysis.targets, language, roc=roc),
        OVERDUE.csv("overdue", analysis.overdue, language, roc=roc),
        TRAINING.csv("training", analysis.training_rows, language, roc=roc),
    ]


def write_chart(analysis: PeriodAnalysis, path: Path, language: str) -> Path:
    """The chart as a PNG for chat."""
    figure = _draw(analysis, language)
    try:
        figure.savefig(path, format="png")
    finally:
        pyplot().close(figure)
    return path


def write_report(
    analysis: PeriodAnalysis,
    out_dir: Path,
    language: str,
    *,
    roc: bool = False,
    western: bool = False,
    produced: datetime | None = None,
) -> list[Path]:
    """DIR/complaints-2027-H1.html (or -2027), one CSV per table (-months, -counts, -units,
    -targets, -overdue, -training) and the chart as .png."""
    roc = use_roc(language, roc=roc, western=western)
    files = ReportFiles(
        stem=f"complaints-{analysis.code}",
        language=language,
        roc=roc,
        title=_title(analysis, language, roc),
        period=format_period(analysis.first, analysis.last, language, roc=roc),
        page=lambda when: render_html(analysis, language, roc=roc, produced=when),
        tables=csv_tables(analysis, language, roc=roc),
        chart=lambda path: write_chart(analysis, path, language),
    )
    return write_report_files(files, out_dir, produced=produced)


def period_text(analysis: PeriodAnalysis, language: str, *, roc: bool) -> str:
    """The short chat reply sent with the files (Telegram HTML)."""
    return t(
        language,
        "period.chat",
        period=analysis.period.label(language, roc=roc),
        received=analysis.received,
        handled=analysis.handled,
        on_time=percent_sign(analysis.on_time_rate),
        open=analysis.open_at_end,
        overdue=len(analysis.overdue),
    )
