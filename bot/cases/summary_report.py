"""The monthly summary written out: the page (HTML with its chart inline), one CSV per table,
the chart as PNG for chat, and the short chat text. Its tables are declared once
(`kernel.tables`); the overdue list and the products are shared with the period analysis
(`report_tables.py`)."""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter
from pathlib import Path
from typing import Any

from markupsafe import Markup

from bot.cases.report_tables import OVERDUE, TOP_PRODUCTS, targets_note
from bot.cases.summary import MonthlySummary, Row, Target
from kernel import charts
from kernel.i18n import t
from kernel.pages import page, render_page
from kernel.reporting import (
    format_day,
    format_month,
    format_period,
    plain,
    produced_now,
    pyplot,
    use_roc,
)
from kernel.tables import (
    Column,
    CsvTable,
    Kind,
    ReportFiles,
    Table,
    decimal,
    percent_number,
    percent_sign,
    write_report_files,
)

COUNTS: Table[Row] = Table(
    "summary.by_kind",
    (
        Column("reports.summary.kind", attrgetter("label"), Kind.TEXT),
        Column("summary.received", attrgetter("received"), Kind.COUNT),
        Column("summary.closed", attrgetter("closed"), Kind.COUNT),
        Column("summary.open_at_end", attrgetter("open_at_end"), Kind.COUNT),
    ),
)
"""Received, closed and open at the month's end, per kind (and, renamed, per category and
unit)."""

TARGETS: Table[Target] = Table(
    "summary.targets",
    (
        Column("reports.summary.item", attrgetter("label"), Kind.TEXT, css=""),
        Column("summary.target", attrgetter("target"), Kind.COUNT),
        Column("summary.to_date", attrgetter("to_date"), Kind.COUNT),
        Column("summary.expected", lambda g: round(g.expected), Kind.COUNT),
        Column("summary.pace_needed", attrgetter("per_month_needed"), Kind.FIGURE),
    ),
    empty=None,
)
"""The year's targets: received so far, expected by now, cases a month still needed."""

GROUPS = (
    ("by_kind", "reports.summary.kind", "by_kind"),
    ("by_category", "reports.summary.category", "by_category"),
    ("by_unit", "summary.unit", "by_unit"),
)
"""(caption key after `summary.`, first header, figures' field) of each counts table."""


def _total(rows: list[Row], label: str) -> Row:
    return Row(
        "",
        label,
        sum(r.received for r in rows),
        sum(r.closed for r in rows),
        sum(r.open_at_end for r in rows),
    )


def _draw_chart(summary: MonthlySummary, language: str, month_label: str) -> Any:
    """Received, closed and open at month end per kind, as a grouped bar chart."""
    return charts.grouped_bars(
        [plain(language, f"cases.kinds.{r.key}") for r in summary.by_kind],
        [
            (plain(language, key), values, colour)
            for key, values, colour in (
                ("summary.received", [r.received for r in summary.by_kind], "#1f4e99"),
                ("summary.closed", [r.closed for r in summary.by_kind], "#3d8c40"),
                ("summary.open_at_end", [r.open_at_end for r in summary.by_kind], "#b35900"),
            )
        ],
        title=plain(language, "summary.chart_title", month=month_label),
        ylabel=plain(language, "reports.summary.axis_cases"),
        xlabel=plain(language, "reports.summary.axis_kind"),
    )


def chart_svg(summary: MonthlySummary, language: str, *, roc: bool) -> Markup:
    """The chart inside the page: SVG in the report's language (its text stays text, so the
    reader's own fonts show Chinese)."""
    month_label = format_month(summary.year, summary.month, language, roc=roc)
    figure = _draw_chart(summary, language, month_label)
    try:
        label = plain(language, "summary.chart_title", month=month_label)
        return charts.inline_svg(figure, label=label, key="kinds")
    finally:
        pyplot().close(figure)


def write_chart(summary: MonthlySummary, path: Path, language: str, *, roc: bool) -> Path:
    """The same chart as a PNG for chat."""
    month = format_month(summary.year, summary.month, language, roc=roc)
    figure = _draw_chart(summary, language, month)
    try:
        figure.savefig(path, format="png")
    finally:
        pyplot().close(figure)
    return path


def _title(summary: MonthlySummary, language: str, *, roc: bool) -> str:
    month = format_month(summary.year, summary.month, language, roc=roc)
    return plain(language, "summary.title", month=month)


def render_html(
    summary: MonthlySummary,
    language: str,
    *,
    roc: bool = False,
    western: bool = False,
    produced: datetime | None = None,
) -> str:
    """The page: ROC dates in Chinese unless `western`, and in English when `roc`."""
    roc = use_roc(language, roc=roc, western=western)
    total = plain(language, "reports.total")
    groups = []
    for key, head, field in GROUPS:
        rows = getattr(summary, field)
        groups.append((key, COUNTS.renamed(f"summary.{key}", head), rows, _total(rows, total)))
    return render_page(
        "reports/summary.html.j2",
        page=page(
            language, _title(summary, language, roc=roc), produced or produced_now(), roc=roc
        ),
        s=summary,
        period=format_period(summary.first, summary.last, language, roc=roc),
        as_of=format_day(summary.as_of, language, roc=roc),
        targets_note=(
            targets_note(summary.year_targets, language, roc=roc)
            if summary.year_targets is not None
            else None
        ),
        fmt=decimal,
        pct=percent_sign,
        days_note=days_note(summary, language),
        chart=chart_svg(summary, language, roc=roc),
        groups=groups,
        targets=TARGETS,
        overdue=OVERDUE,
        products=TOP_PRODUCTS,
    )


def days_note(summary: MonthlySummary, language: str) -> str:
    """One sentence: days to close and days late are calendar days; how deadlines count."""
    counting = plain(language, f"summary.counting_{summary.counting}")
    return plain(language, "summary.days_note", counting=counting)


def csv_tables(summary: MonthlySummary, language: str, *, roc: bool) -> list[CsvTable]:
    """Each CSV of the summary: one table per file."""

    def tr(key: str) -> str:
        return plain(language, key)

    counts: list[list[object]] = []
    for key, head, field in GROUPS:
        rows = getattr(summary, field)
        table = COUNTS.renamed(f"summary.{key}", head)
        for row in [*rows, _total(rows, tr("reports.total"))]:
            counts.append([tr(head), *table.csv_rows([row], language, roc=roc)[0]])
    overview: list[list[object]] = [
        [tr("summary.received"), summary.received],
        [tr("summary.closed"), summary.closed],
        [tr("summary.open_at_end"), summary.open_at_end],
        [tr("reports.summary.closed_on_time"), summary.on_time],
        [tr("reports.summary.on_time_pct"), percent_number(summary.on_time_rate)],
        [tr("summary.mean_days"), _round1(summary.mean_days)],
        [tr("summary.median_days"), _round1(summary.median_days)],
        [tr("reports.summary.overdue_count"), len(summary.overdue)],
        [tr("cases.proof.replies_delivered"), summary.replies_delivered],
        [tr("cases.proof.replies_off_chat"), summary.replies_off_chat],
    ]
    counts_header = [
        tr("reports.summary.group"),
        tr("reports.summary.item"),
        *COUNTS.header(language)[1:],
    ]
    return [
        CsvTable("counts", tr("reports.summary.csv_counts"), counts_header, counts),
        CsvTable(
            "overview",
            tr("summary.headline"),
            [tr("reports.summary.item"), tr("reports.summary.value")],
            overview,
        ),
        TARGETS.csv("targets", summary.targets, language, roc=roc),
        OVERDUE.csv("overdue", summary.overdue, language, roc=roc),
        TOP_PRODUCTS.csv("products", summary.top_products, language, roc=roc),
    ]


def _round1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def write_report(
    summary: MonthlySummary,
    out_dir: Path,
    language: str,
    *,
    roc: bool = False,
    western: bool = False,
    produced: datetime | None = None,
) -> list[Path]:
    """DIR/complaints-YYYY-MM.html, one CSV per table (-counts, -overview, -targets,
    -overdue, -products; UTF-8 with BOM) and the chart as .png. Dates are ROC in Chinese
    unless `western`, and in English only with `roc`."""
    roc = use_roc(language, roc=roc, western=western)
    files = ReportFiles(
        stem=f"complaints-{summary.year:04d}-{summary.month:02d}",
        language=language,
        roc=roc,
        title=_title(summary, language, roc=roc),
        period=format_period(summary.first, summary.last, language, roc=roc),
        page=lambda when: render_html(summary, language, roc=roc, western=not roc, produced=when),
        tables=csv_tables(summary, language, roc=roc),
        chart=lambda path: write_chart(summary, path, language, roc=roc),
    )
    return write_report_files(files, out_dir, produced=produced)


def summary_text(summary: MonthlySummary, language: str, *, roc: bool = False) -> str:
    """The short chat reply sent with the files."""
    key = "summary.chat_empty" if summary.empty else "summary.chat"
    text = t(
        language,
        key,
        month=format_month(summary.year, summary.month, language, roc=use_roc(language, roc=roc)),
        received=summary.received,
        closed=summary.closed,
        open=summary.open_at_end,
        on_time=percent_sign(summary.on_time_rate),
        overdue=len(summary.overdue),
        median=decimal(summary.median_days),
    )
    if summary.empty:
        return text
    line = t(language, "cases.proof.summary_line", count=summary.replies_delivered)
    off_chat = t(language, "cases.proof.summary_off_chat", count=summary.replies_off_chat)
    return f"{text}\n{line}\n{off_chat}"
