"""The secretariat's monthly summary of cases: figures from SQL, written as HTML, CSV and PNG.

No reporter identity is ever read here: the queries touch `casefile`, `unit` and `category` only.
`summarise_month` is /summary's use case: the figures and their audit row in one transaction;
the command line's `report monthly` calls `build_summary` alone. It passes 500 lines because
the figures, the page, the CSV tables and the chart of one report are read together; the period
analysis (`periods.py`) is its own module.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlmodel import Session

from bot.cases.periods import targets_note
from kernel import charts, csvfiles
from kernel.errors import UserError
from kernel.i18n import t
from kernel.pages import page, render_page
from kernel.reporting import (
    chart_language,
    format_day,
    format_month,
    format_period,
    format_stamp,
    plain,
    produced_now,
    pyplot,
    use_roc,
)
from storage.models.cases import CaseKind
from storage.queries.assessment import PLAN_TARGETS, fetch_targets
from storage.queries.case_summary import (
    fetch_closing_figures,
    fetch_month_tallies,
    fetch_overdue_at,
    fetch_received_between,
    fetch_top_subjects,
)
from storage.queries.cases import fetch_categories
from storage.queries.outbox import count_replies_delivered
from storage.queries.people import fetch_units, record_audit

BRANCH_TZ = ZoneInfo("Asia/Taipei")
"""The month's replies are counted by the day in this zone unless the caller gives its own."""

PUBLIC_TARGET = PLAN_TARGETS["public"]
MONITOR_TARGET = PLAN_TARGETS["monitor"]
"""The plan's yearly targets, used when the year has none set (`bsmi-desk target set`)."""


def parse_month(text: str, *, today: date) -> tuple[int, int]:
    """`YYYY-MM` → (year, month); refuses other shapes and months after this one."""
    parts = text.strip().split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise UserError("summary.bad_month", value=text)
    year, month = int(parts[0]), int(parts[1])
    if not 1 <= month <= 12 or year < 2000:
        raise UserError("summary.bad_month", value=text)
    if (year, month) > (today.year, today.month):
        raise UserError("summary.future_month", value=text)
    return year, month


def last_complete_month(today: date) -> tuple[int, int]:
    """The month before `today`'s, as (year, month): what /summary shows when not told."""
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    received: int
    closed: int
    open_at_end: int


@dataclass(frozen=True)
class Target:
    label: str
    target: int
    to_date: int
    expected: float
    per_month_needed: float | None


class Overdue(NamedTuple):
    number: str
    unit: str
    days_late: int
    received_on: date
    due_on: date


@dataclass
class MonthlySummary:
    year: int
    month: int
    first: date
    last: date
    as_of: date
    by_kind: list[Row] = field(default_factory=list)
    by_category: list[Row] = field(default_factory=list)
    by_unit: list[Row] = field(default_factory=list)
    closed: int = 0
    on_time: int = 0
    mean_days: float | None = None
    median_days: float | None = None
    overdue: list[Overdue] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    top_products: list[tuple[str, int]] = field(default_factory=list)
    counting: str = "working"
    """How deadlines are counted (`CASE_DAY_COUNTING`); days to close are calendar days."""
    targets_note: str | None = None
    """Says which targets are the plan's because the year has none set."""
    replies_delivered: int = 0
    """Final replies Telegram accepted in the month (a reply counts on the day it was sent)."""

    @property
    def received(self) -> int:
        return sum(r.received for r in self.by_kind)

    @property
    def open_at_end(self) -> int:
        return sum(r.open_at_end for r in self.by_kind)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.closed if self.closed else None

    @property
    def empty(self) -> bool:
        return not (self.received or self.closed or self.open_at_end)


def _rows(
    tallies: list[tuple[str | None, int, int, int]], labels: dict[str, str], none_label: str
) -> list[Row]:
    found = {k: (r, c, o) for k, r, c, o in tallies}
    rows = [Row(k, label, *found.get(k, (0, 0, 0))) for k, label in labels.items()]
    extra = [
        Row(k or "", none_label if k is None else k, r, c, o)
        for k, (r, c, o) in found.items()
        if k not in labels
    ]
    return rows + extra


def build_summary(
    *,
    session: Session,
    year: int,
    month: int,
    today: date,
    language: str,
    counting: str = "working",
    tz: ZoneInfo = BRANCH_TZ,
) -> MonthlySummary:
    """Every figure of the month, computed by SQL aggregation. Days to close and days late are
    calendar days; `counting` (how deadlines are counted) is only stated in the report."""
    first = date(year, month, 1)
    last = date(year, month, calendar.monthrange(year, month)[1])
    as_of = min(last, today)
    zh = language == "zh-TW"
    summary = MonthlySummary(
        year=year, month=month, first=first, last=last, as_of=as_of, counting=counting
    )
    kinds = {k.value: t(language, f"cases.kinds.{k.value}") for k in CaseKind}
    summary.by_kind = _rows(
        fetch_month_tallies(session=session, group="kind", first=first, last=last), kinds, "—"
    )
    categories = {
        c.code: (c.name_zh if zh else c.name_en) for c in fetch_categories(session=session)
    }
    summary.by_category = [
        r
        for r in _rows(
            fetch_month_tallies(session=session, group="category", first=first, last=last),
            categories,
            t(language, "summary.uncategorised"),
        )
        if r.received or r.closed or r.open_at_end
    ]
    units = {u.code: (u.name_zh if zh else u.name_en) for u in fetch_units(session=session)}
    summary.by_unit = [
        r
        for r in _rows(
            fetch_month_tallies(session=session, group="unit", first=first, last=last),
            units,
            t(language, "summary.unassigned"),
        )
        if r.received or r.closed or r.open_at_end
    ]
    summary.closed, summary.on_time, summary.mean_days, summary.median_days = (
        fetch_closing_figures(session=session, first=first, last=last)
    )
    summary.overdue = [
        Overdue(
            number,
            units.get(unit or "", t(language, "summary.unassigned")),
            (as_of - due).days,
            received,
            due,
        )
        for number, unit, received, due in fetch_overdue_at(session=session, as_of=as_of)
    ]
    ytd = fetch_received_between(session=session, first=date(year, 1, 1), last=last)
    public = ytd.get(CaseKind.PRODUCT.value, 0) + ytd.get(CaseKind.SERVICE.value, 0)
    monitor = ytd.get(CaseKind.MONITOR.value, 0)
    months_left = 12 - month
    year_targets = fetch_targets(session=session, year=year)
    summary.targets_note = targets_note(year_targets, language)
    for label_key, target, done in (
        ("targets.public", year_targets.public, public),
        ("targets.monitor", year_targets.monitor, monitor),
    ):
        remaining = max(0, target - done)
        summary.targets.append(
            Target(
                label=t(language, label_key),
                target=target,
                to_date=done,
                expected=target * month / 12,
                per_month_needed=remaining / months_left if months_left else None,
            )
        )
    summary.top_products = fetch_top_subjects(session=session, first=first, last=last)
    summary.replies_delivered = count_replies_delivered(
        session=session,
        start=datetime.combine(first, time(), tzinfo=tz),
        end=datetime.combine(last + timedelta(days=1), time(), tzinfo=tz),
    )
    return summary


def summarise_month(
    *,
    session: Session,
    actor_telegram_id: int,
    year: int,
    month: int,
    today: date,
    language: str,
    counting: str = "working",
    tz: ZoneInfo = BRANCH_TZ,
) -> MonthlySummary:
    """/summary: the month's figures, with the audit row (`case.summary`, target YYYY-MM)
    written in the same transaction."""
    summary = build_summary(
        session=session,
        year=year,
        month=month,
        today=today,
        language=language,
        counting=counting,
        tz=tz,
    )
    record_audit(
        session=session,
        actor_telegram_id=actor_telegram_id,
        action="case.summary",
        target=f"{year:04d}-{month:02d}",
    )
    return summary


def _fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _percent_number(value: float | None) -> float | None:
    """A rate as a number of percent with one decimal (87.8), as every CSV writes it."""
    return None if value is None else round(value * 100, 1)


def _round1(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _total(rows: list[Row], label: str) -> Row:
    return Row(
        "",
        label,
        sum(r.received for r in rows),
        sum(r.closed for r in rows),
        sum(r.open_at_end for r in rows),
    )


@dataclass(frozen=True)
class Dates:
    """How one rendering writes its dates: ROC or western, in the report's language."""

    language: str
    roc: bool

    def day(self, value: date) -> str:
        return format_day(value, self.language, roc=self.roc)

    def csv_day(self, value: date) -> str:
        return csvfiles.csv_day(value, self.language, roc=self.roc)

    def month(self, year: int, month: int) -> str:
        return format_month(year, month, self.language, roc=self.roc)


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


def chart_svg(summary: MonthlySummary, dates: Dates) -> Markup:
    """The chart inside the page: SVG in the report's language (its text stays text, so the
    reader's own fonts show Chinese)."""
    month_label = dates.month(summary.year, summary.month)
    figure = _draw_chart(summary, dates.language, month_label)
    try:
        label = plain(dates.language, "summary.chart_title", month=month_label)
        return charts.inline_svg(figure, label=label, key="kinds")
    finally:
        pyplot().close(figure)


def write_chart(summary: MonthlySummary, path: Path, language: str, *, roc: bool) -> Path:
    """The same chart as a PNG for chat, in English where no CJK font is installed."""
    lang = chart_language(language)
    figure = _draw_chart(summary, lang, format_month(summary.year, summary.month, lang, roc=roc))
    try:
        figure.savefig(path, format="png")
    finally:
        pyplot().close(figure)
    return path


def render_html(
    summary: MonthlySummary,
    language: str,
    *,
    roc: bool = False,
    western: bool = False,
    produced: datetime | None = None,
) -> str:
    """The page: ROC dates in Chinese unless `western`, and in English when `roc`."""
    dates = Dates(language, use_roc(language, roc=roc, western=western))
    month_label = dates.month(summary.year, summary.month)
    title = plain(language, "summary.title", month=month_label)
    total = plain(language, "reports.total")
    groups = [
        ("by_kind", "reports.summary.kind", summary.by_kind),
        ("by_category", "reports.summary.category", summary.by_category),
        ("by_unit", "summary.unit", summary.by_unit),
    ]
    return render_page(
        "reports/summary.html.j2",
        page=page(language, title, produced or produced_now(), roc=dates.roc),
        s=summary,
        period=format_period(summary.first, summary.last, language, roc=dates.roc),
        as_of=dates.day(summary.as_of),
        day=dates.day,
        fmt=_fmt,
        pct=_pct,
        days_note=days_note(summary, language),
        chart=chart_svg(summary, dates),
        groups=[(key, head, rows, _total(rows, total)) for key, head, rows in groups],
    )


def days_note(summary: MonthlySummary, language: str) -> str:
    """One sentence: days to close and days late are calendar days; how deadlines count."""
    counting = plain(language, f"summary.counting_{summary.counting}")
    return plain(language, "summary.days_note", counting=counting)


CsvTable = tuple[str, str, list[str], list[list[object]]]


def csv_tables(summary: MonthlySummary, dates: Dates) -> list[CsvTable]:
    """(file suffix, caption, header, rows) of each CSV: one table per file."""
    language = dates.language
    tr = partial(plain, language)
    counts: list[list[object]] = []
    for group_key, rows in (
        ("reports.summary.kind", summary.by_kind),
        ("reports.summary.category", summary.by_category),
        ("summary.unit", summary.by_unit),
    ):
        group = tr(group_key)
        counts += [[group, r.label, r.received, r.closed, r.open_at_end] for r in rows]
        total = _total(rows, tr("reports.total"))
        counts.append([group, total.label, total.received, total.closed, total.open_at_end])
    overview: list[list[object]] = [
        [tr("summary.received"), summary.received],
        [tr("summary.closed"), summary.closed],
        [tr("summary.open_at_end"), summary.open_at_end],
        [tr("reports.summary.closed_on_time"), summary.on_time],
        [tr("reports.summary.on_time_pct"), _percent_number(summary.on_time_rate)],
        [tr("summary.mean_days"), _round1(summary.mean_days)],
        [tr("summary.median_days"), _round1(summary.median_days)],
        [tr("reports.summary.overdue_count"), len(summary.overdue)],
        [tr("cases.proof.replies_delivered"), summary.replies_delivered],
    ]
    targets: list[list[object]] = [
        [g.label, g.target, g.to_date, round(g.expected), _round1(g.per_month_needed)]
        for g in summary.targets
    ]
    overdue: list[list[object]] = [
        [o.number, o.unit, dates.csv_day(o.received_on), dates.csv_day(o.due_on), o.days_late]
        for o in summary.overdue
    ]
    products: list[list[object]] = [[subject, count] for subject, count in summary.top_products]
    return [
        (
            "counts",
            tr("reports.summary.csv_counts"),
            [
                tr("reports.summary.group"),
                tr("reports.summary.item"),
                tr("summary.received"),
                tr("summary.closed"),
                tr("summary.open_at_end"),
            ],
            counts,
        ),
        (
            "overview",
            tr("summary.headline"),
            [tr("reports.summary.item"), tr("reports.summary.value")],
            overview,
        ),
        (
            "targets",
            tr("summary.targets"),
            [
                tr("reports.summary.item"),
                tr("summary.target"),
                tr("summary.to_date"),
                tr("summary.expected"),
                tr("summary.pace_needed"),
            ],
            targets,
        ),
        (
            "overdue",
            tr("summary.overdue"),
            [
                tr("summary.number"),
                tr("summary.unit"),
                tr("reports.summary.received_on"),
                tr("reports.summary.due_on"),
                tr("summary.days_late"),
            ],
            overdue,
        ),
        (
            "products",
            tr("summary.top_products"),
            [tr("summary.product"), tr("summary.count")],
            products,
        ),
    ]


def write_csvs(
    summary: MonthlySummary, out_dir: Path, stem: str, dates: Dates, produced: datetime
) -> list[Path]:
    """One CSV per table, each opening with a line naming the table, the month and when."""
    language = dates.language
    month_label = dates.month(summary.year, summary.month)
    stamp = format_stamp(produced, language, roc=dates.roc)
    paths = []
    for suffix, name, header, rows in csv_tables(summary, dates):
        caption = plain(
            language,
            "reports.csv_caption",
            title=plain(language, "summary.title", month=month_label),
            table=name,
            period=format_period(summary.first, summary.last, language, roc=dates.roc),
            stamp=stamp,
        )
        paths.append(csvfiles.write_csv(out_dir / f"{stem}-{suffix}.csv", caption, header, rows))
    return paths


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
    out_dir.mkdir(parents=True, exist_ok=True)
    dates = Dates(language, use_roc(language, roc=roc, western=western))
    when = produced or produced_now()
    stem = f"complaints-{summary.year:04d}-{summary.month:02d}"
    html_path = out_dir / f"{stem}.html"
    html_path.write_text(
        render_html(summary, language, roc=dates.roc, western=not dates.roc, produced=when),
        encoding="utf-8",
    )
    csv_paths = write_csvs(summary, out_dir, stem, dates, when)
    png_path = write_chart(summary, out_dir / f"{stem}.png", language, roc=dates.roc)
    return [html_path, *csv_paths, png_path]


def summary_text(summary: MonthlySummary, language: str, *, roc: bool = False) -> str:
    """The short chat reply sent with the three files."""
    key = "summary.chat_empty" if summary.empty else "summary.chat"
    text = t(
        language,
        key,
        month=format_month(summary.year, summary.month, language, roc=use_roc(language, roc=roc)),
        received=summary.received,
        closed=summary.closed,
        open=summary.open_at_end,
        on_time=_pct(summary.on_time_rate),
        overdue=len(summary.overdue),
        median=_fmt(summary.median_days),
    )
    if summary.empty:
        return text
    return text + "\n" + t(language, "cases.proof.summary_line", count=summary.replies_delivered)
