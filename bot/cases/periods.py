"""The half-year and year complaint analysis (`report period`, `/summary 2027-H1`): month by
month received, handled and on time; by kind, category, unit and channel; progress against the
year's targets counted on handled cases, received beside them; the on-time rate; the cases
still open and overdue at the period's end; the most-reported products.

Handled = finished in the period, duplicates and transfers out excluded (not handled cases,
closed with a recorded reason, count). Every figure comes from SQL aggregation
(`storage/queries/case_periods.py`); the targets are the year's (`target set`), else the
plan's, which the report then says. The figures and their renderings (page, CSV, chart, chat
text) stay in one module, a little past 500 lines, because a column added to one must be added
to the others.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from pathlib import Path
from statistics import median
from typing import Any

from sqlmodel import Session

from kernel import charts, csvfiles
from kernel.errors import UserError
from kernel.i18n import t
from kernel.pages import page, render_page
from kernel.periods import Period
from kernel.reporting import (
    format_day,
    format_period,
    format_stamp,
    plain,
    produced_now,
    pyplot,
    roc_year,
    use_roc,
)
from storage.models.cases import CaseKind, Channel
from storage.queries.assessment import Targets, fetch_targets
from storage.queries.case_periods import (
    fetch_handled_by_kind,
    fetch_handled_days,
    fetch_monthly_counts,
    fetch_overdue_by_unit,
    fetch_period_tallies,
)
from storage.queries.case_summary import fetch_overdue_at, fetch_top_subjects
from storage.queries.cases import fetch_categories
from storage.queries.people import fetch_units


@dataclass(frozen=True)
class MonthRow:
    month: int
    label: str
    received: int
    handled: int
    on_time: int


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    received: int
    handled: int
    on_time: int
    open_at_end: int
    median_days: float | None = None
    overdue: int | None = None

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.handled if self.handled else None


@dataclass(frozen=True)
class TargetRow:
    label: str
    target: int
    expected: int
    handled: int
    received: int

    @property
    def share(self) -> float | None:
        return self.handled / self.target if self.target else None


@dataclass(frozen=True)
class OverdueRow:
    number: str
    unit: str
    days_late: int
    received_on: date
    due_on: date


@dataclass
class PeriodAnalysis:
    period: Period
    as_of: date
    targets_of_year: Targets
    months: list[MonthRow] = field(default_factory=list)
    by_kind: list[Row] = field(default_factory=list)
    by_category: list[Row] = field(default_factory=list)
    by_unit: list[Row] = field(default_factory=list)
    by_channel: list[Row] = field(default_factory=list)
    median_days: float | None = None
    targets: list[TargetRow] = field(default_factory=list)
    overdue: list[OverdueRow] = field(default_factory=list)
    top_products: list[tuple[str, int]] = field(default_factory=list)

    @property
    def year(self) -> int:
        return self.period.year

    @property
    def first_half(self) -> bool:
        return self.period.first_half

    @property
    def first(self) -> date:
        return self.period.first

    @property
    def last(self) -> date:
        return self.period.last

    @property
    def code(self) -> str:
        return self.period.code

    @property
    def received(self) -> int:
        return sum(r.received for r in self.by_kind)

    @property
    def handled(self) -> int:
        return sum(r.handled for r in self.by_kind)

    @property
    def on_time(self) -> int:
        return sum(r.on_time for r in self.by_kind)

    @property
    def open_at_end(self) -> int:
        return sum(r.open_at_end for r in self.by_kind)

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.handled if self.handled else None

    def unit_row(self, code: str) -> Row | None:
        return next((r for r in self.by_unit if r.key == code), None)


def _rows(
    tallies: list[tuple[str | None, int, int, int, int]],
    labels: dict[str, str],
    none_label: str,
    *,
    keep_empty: bool,
) -> list[Row]:
    found = {k: (r, h, o, e) for k, r, h, o, e in tallies}
    rows = [Row(k, label, *found.get(k, (0, 0, 0, 0))) for k, label in labels.items()]
    rows += [
        Row(k or "", none_label if k is None else k, *v)
        for k, v in found.items()
        if k not in labels
    ]
    return [r for r in rows if keep_empty or r.received or r.handled or r.open_at_end]


def _median(values: list[int]) -> float | None:
    return float(median(values)) if values else None


def build_period_analysis(
    *, session: Session, period: Period, today: date, language: str
) -> PeriodAnalysis:
    """Every figure of a first half-year or a year; a period that has not begun is refused."""
    year, first_half, first, last = period.year, period.first_half, period.first, period.last
    if first > today:
        raise UserError("period.future", period=period.code)
    as_of = min(last, today)
    zh = language == "zh-TW"
    analysis = PeriodAnalysis(
        period=period,
        as_of=as_of,
        targets_of_year=fetch_targets(session=session, year=year),
    )
    months = [
        (date(year, m, 1), date(year, m, calendar.monthrange(year, m)[1]))
        for m in range(1, last.month + 1)
        if date(year, m, 1) <= as_of
    ]
    for (start, _), (received, handled, on_time) in zip(
        months, fetch_monthly_counts(session=session, months=months), strict=True
    ):
        label = plain(language, "period.month", month=start.month)
        analysis.months.append(MonthRow(start.month, label, received, handled, on_time))

    def tallies(group: str) -> list[tuple[str | None, int, int, int, int]]:
        return fetch_period_tallies(session=session, group=group, first=first, last=as_of)

    kinds = {k.value: plain(language, f"cases.kinds.{k.value}") for k in CaseKind}
    analysis.by_kind = _rows(tallies("kind"), kinds, "—", keep_empty=True)
    categories = {
        c.code: (c.name_zh if zh else c.name_en) for c in fetch_categories(session=session)
    }
    analysis.by_category = _rows(
        tallies("category"), categories, plain(language, "summary.uncategorised"), keep_empty=False
    )
    channels = {c.value: plain(language, f"cases.channels.{c.value}") for c in Channel}
    analysis.by_channel = _rows(tallies("channel"), channels, "—", keep_empty=False)
    units = {u.code: u.name_in(language) for u in fetch_units(session=session)}
    days = fetch_handled_days(session=session, first=first, last=as_of)
    overdue_by_unit = fetch_overdue_by_unit(session=session, as_of=as_of)
    days_by_unit: dict[str, list[int]] = {}
    for unit_code, value in days:
        days_by_unit.setdefault(unit_code or "", []).append(value)
    unit_rows = _rows(
        tallies("unit"), units, plain(language, "summary.unassigned"), keep_empty=True
    )
    analysis.by_unit = [
        Row(
            r.key,
            r.label,
            r.received,
            r.handled,
            r.on_time,
            r.open_at_end,
            median_days=_median(days_by_unit.get(r.key, [])),
            overdue=overdue_by_unit.get(r.key or None, 0),
        )
        for r in unit_rows
    ]
    analysis.median_days = _median([d for _, d in days])
    handled_by_kind = fetch_handled_by_kind(session=session, first=first, last=as_of)
    received_by_kind = {r.key: r.received for r in analysis.by_kind}
    targets = analysis.targets_of_year
    share = 6 if first_half else 12
    for key, target, kinds_counted in (
        ("targets.public", targets.public, (CaseKind.PRODUCT.value, CaseKind.SERVICE.value)),
        ("targets.monitor", targets.monitor, (CaseKind.MONITOR.value,)),
    ):
        analysis.targets.append(
            TargetRow(
                label=plain(language, key),
                target=target,
                expected=round(target * share / 12),
                handled=sum(handled_by_kind.get(k, 0) for k in kinds_counted),
                received=sum(received_by_kind.get(k, 0) for k in kinds_counted),
            )
        )
    analysis.overdue = [
        OverdueRow(
            number,
            units.get(unit or "", plain(language, "summary.unassigned")),
            (as_of - due).days,
            received_on,
            due,
        )
        for number, unit, received_on, due in fetch_overdue_at(session=session, as_of=as_of)
    ]
    analysis.top_products = fetch_top_subjects(session=session, first=first, last=as_of)
    return analysis


def targets_note(targets: Targets, language: str, *, roc: bool) -> str | None:
    """The sentence saying which figures are the plan's because the year has none set; its
    year in ROC (115 年) when the report's dates are, like the rest of a Chinese report."""
    if not targets.defaulted:
        return None
    names = "、" if language == "zh-TW" else ", "
    return plain(
        language,
        "targets.fallback",
        year=roc_year(targets.year) if roc and language == "zh-TW" else targets.year,
        figures=names.join(
            plain(language, f"targets.name_{n}") for n in sorted(targets.defaulted)
        ),
    )


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _pct_figure(value: float | None) -> str:
    """A share as a number of percent without the sign, under a header that says (%)."""
    return "—" if value is None else f"{value * 100:.1f}"


def _pct_number(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


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
    label = analysis.period.label(language, roc=roc)
    return plain(language, "period.title", period=label)


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
        ("period.by_kind", "reports.summary.kind", analysis.by_kind),
        ("period.by_category", "reports.summary.category", analysis.by_category),
        ("period.by_channel", "period.channel", analysis.by_channel),
    ]
    return render_page(
        "reports/period.html.j2",
        page=page(language, _title(analysis, language, roc), produced or produced_now(), roc=roc),
        a=analysis,
        period=format_period(analysis.first, analysis.last, language, roc=roc),
        as_of=format_day(analysis.as_of, language, roc=roc),
        day=partial(format_day, language=language, roc=roc),
        pct=_pct,
        pct_figure=_pct_figure,
        fmt=_fmt,
        chart=chart,
        groups=groups,
        targets_note=targets_note(analysis.targets_of_year, language, roc=roc),
    )


def csv_tables(
    analysis: PeriodAnalysis, language: str, *, roc: bool
) -> list[tuple[str, str, list[str], list[list[object]]]]:
    """(file suffix, caption, header, rows) of each CSV: one table per file."""
    tr = partial(plain, language)
    months: list[list[object]] = [
        [m.label, m.received, m.handled, m.on_time] for m in analysis.months
    ]
    months.append([tr("reports.total"), analysis.received, analysis.handled, analysis.on_time])
    counts: list[list[object]] = []
    for group, rows in (
        ("reports.summary.kind", analysis.by_kind),
        ("reports.summary.category", analysis.by_category),
        ("summary.unit", analysis.by_unit),
        ("period.channel", analysis.by_channel),
    ):
        counts += [
            [tr(group), r.label, r.received, r.handled, r.on_time, r.open_at_end] for r in rows
        ]
    units: list[list[object]] = [
        [
            r.label,
            r.received,
            r.handled,
            r.on_time,
            _pct_number(r.on_time_rate),
            None if r.median_days is None else round(r.median_days, 1),
            r.overdue,
            r.open_at_end,
        ]
        for r in analysis.by_unit
    ]
    targets: list[list[object]] = [
        [g.label, g.target, g.expected, g.handled, _pct_number(g.share), g.received]
        for g in analysis.targets
    ]
    overdue: list[list[object]] = [
        [
            o.number,
            o.unit,
            csvfiles.csv_day(o.received_on, language, roc=roc),
            csvfiles.csv_day(o.due_on, language, roc=roc),
            o.days_late,
        ]
        for o in analysis.overdue
    ]
    head = [tr("period.received"), tr("period.handled"), tr("period.on_time")]
    return [
        ("months", tr("period.by_month"), [tr("period.month_col"), *head], months),
        (
            "counts",
            tr("period.csv_counts"),
            [tr("reports.summary.group"), tr("reports.summary.item"), *head, tr("period.open")],
            counts,
        ),
        (
            "units",
            tr("period.by_unit"),
            [
                tr("summary.unit"),
                *head,
                tr("period.on_time_pct"),
                tr("summary.median_days"),
                tr("period.overdue_at_end"),
                tr("period.open"),
            ],
            units,
        ),
        (
            "targets",
            tr("period.targets"),
            [
                tr("reports.summary.item"),
                tr("period.target_year"),
                tr("period.expected"),
                tr("period.handled"),
                tr("period.share_pct"),
                tr("period.received"),
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
    ]


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
    -targets, -overdue) and the chart as .png."""
    out_dir.mkdir(parents=True, exist_ok=True)
    roc = use_roc(language, roc=roc, western=western)
    when = produced or produced_now()
    stem = f"complaints-{analysis.code}"
    html = out_dir / f"{stem}.html"
    html.write_text(render_html(analysis, language, roc=roc, produced=when), encoding="utf-8")
    paths = [html]
    title = _title(analysis, language, roc)
    stamp = format_stamp(when, language, roc=roc)
    for suffix, name, header, rows in csv_tables(analysis, language, roc=roc):
        caption = plain(
            language,
            "reports.csv_caption",
            title=title,
            table=name,
            period=format_period(analysis.first, analysis.last, language, roc=roc),
            stamp=stamp,
        )
        paths.append(csvfiles.write_csv(out_dir / f"{stem}-{suffix}.csv", caption, header, rows))
    figure = _draw(analysis, language)
    try:
        figure.savefig(out_dir / f"{stem}.png", format="png")
    finally:
        pyplot().close(figure)
    paths.append(out_dir / f"{stem}.png")
    return paths


def period_text(analysis: PeriodAnalysis, language: str, *, roc: bool) -> str:
    """The short chat reply sent with the files (Telegram HTML)."""
    return t(
        language,
        "period.chat",
        period=analysis.period.label(language, roc=roc),
        received=analysis.received,
        handled=analysis.handled,
        on_time=_pct(analysis.on_time_rate),
        open=analysis.open_at_end,
        overdue=len(analysis.overdue),
    )
