"""The half-year and year complaint analysis (`report period`, `/summary 2027-H1`): its
figures. Month by month received, handled and on time; by kind, category, unit and channel;
progress against the year's targets counted on handled cases, received beside them; the
on-time rate; the cases still open and overdue at the period's end; the most-reported
products. The page, the CSV files, the chart and the chat text are `period_report.py`.

Handled = finished in the period, duplicates and transfers out excluded (not handled cases,
closed with a recorded reason, count). Every figure comes from SQL aggregation
(`storage/queries/case_periods.py`); the targets are the year's (`target set`), else the
plan's, which the report then says.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from sqlmodel import Session

from bot.cases.report_tables import OverdueRow, overdue_rows
from kernel.errors import UserError
from kernel.periods import Period
from kernel.reporting import plain
from storage.models.cases import CaseKind, Channel
from storage.queries.assessment import Targets, fetch_targets
from storage.queries.case_periods import (
    fetch_handled_by_kind,
    fetch_handled_days,
    fetch_monthly_counts,
    fetch_overdue_by_unit,
    fetch_period_tallies,
)
from storage.queries.case_summary import fetch_top_subjects
from storage.queries.cases import fetch_categories
from storage.queries.duties import TrainingProgress, fetch_training_progress
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
class TrainingRow:
    """Training held by a unit in the period, or in all (`target` and `progress` on the total
    only: the target is the branch's)."""

    label: str
    sessions: int
    hours: float
    attendees: int
    target: int | None = None
    progress: float | None = None


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
    training: TrainingProgress | None = None
    training_rows: list[TrainingRow] = field(default_factory=list)

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


def _training_rows(
    progress: TrainingProgress, units: dict[str, str], language: str
) -> list[TrainingRow]:
    """Each unit that held training, then the total against the year's target."""
    rows = [
        TrainingRow(name, tally.sessions, tally.hours, tally.attendees)
        for code, name in units.items()
        if (tally := progress.by_unit.get(code)) is not None
    ]
    total = progress.total
    rows.append(
        TrainingRow(
            plain(language, "period.training.total"),
            total.sessions,
            total.hours,
            total.attendees,
            progress.target,
            progress.progress,
        )
    )
    return rows


def build_period_analysis(
    session: Session, *, period: Period, today: date, language: str
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
    analysis.training = fetch_training_progress(session=session, period=period, today=as_of)
    analysis.training_rows = _training_rows(analysis.training, units, language)
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
    analysis.overdue = overdue_rows(session=session, as_of=as_of, units=units, language=language)
    analysis.top_products = fetch_top_subjects(session=session, first=first, last=as_of)
    return analysis
