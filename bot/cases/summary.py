"""The secretariat's monthly summary of cases: its figures, from SQL aggregation. The page, the
CSV files, the chart and the chat text are written by `summary_report.py`.

No reporter identity is ever read here: the queries touch `casefile`, `unit` and `category` only.
`summarise_month` is /summary's use case: the figures and their audit row in one transaction;
the command line's `report monthly` calls `build_summary` alone.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.cases.report_tables import OverdueRow, overdue_rows
from kernel.i18n import t
from storage.models.cases import CaseKind
from storage.queries.assessment import PLAN_TARGETS, Targets, fetch_targets
from storage.queries.audit import record_audit
from storage.queries.case_summary import (
    fetch_closing_figures,
    fetch_month_tallies,
    fetch_received_between,
    fetch_top_subjects,
)
from storage.queries.cases import count_replies_off_chat, fetch_categories
from storage.queries.outbox.case_messages import count_replies_delivered
from storage.queries.people import fetch_units

BRANCH_TZ = ZoneInfo("Asia/Taipei")
"""The month's replies are counted by the day in this zone unless the caller gives its own."""

PUBLIC_TARGET = PLAN_TARGETS["public"]
MONITOR_TARGET = PLAN_TARGETS["monitor"]
"""The plan's yearly targets, used when the year has none set (`bsmi-desk target set`)."""


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
    overdue: list[OverdueRow] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    top_products: list[tuple[str, int]] = field(default_factory=list)
    counting: str = "working"
    """How deadlines are counted (`CASE_DAY_COUNTING`); days to close are calendar days."""
    year_targets: Targets | None = None
    replies_delivered: int = 0
    """Final replies Telegram accepted in the month (a reply counts on the day it was sent)."""
    replies_off_chat: int = 0
    """Final replies given by phone, letter or e-mail in the month (by the day recorded)."""
    """The year's targets, to say which are the plan's because the year has none set."""

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
    session: Session,
    *,
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
    summary.overdue = overdue_rows(session=session, as_of=as_of, units=units, language=language)
    ytd = fetch_received_between(session=session, first=date(year, 1, 1), last=last)
    public = ytd.get(CaseKind.PRODUCT.value, 0) + ytd.get(CaseKind.SERVICE.value, 0)
    monitor = ytd.get(CaseKind.MONITOR.value, 0)
    months_left = 12 - month
    year_targets = fetch_targets(session=session, year=year)
    summary.year_targets = year_targets
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
    summary.replies_off_chat = count_replies_off_chat(session=session, first=first, last=last)
    return summary


def summarise_month(
    session: Session,
    *,
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
