"""The secretariat's monthly summary of cases: figures from SQL, written as HTML, CSV and PNG.

No reporter identity is ever read here: the queries touch `casefile`, `unit` and `category` only.
`summarise_month` is /summary's use case: the figures and their audit row in one transaction;
the command line's `report monthly` calls `build_summary` alone.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session

from kernel import templating
from kernel.errors import UserError
from kernel.i18n import t
from kernel.reporting import chart_language, format_day, format_month, pyplot, write_csv
from storage.models.cases import CaseKind
from storage.queries.case_summary import (
    fetch_closing_figures,
    fetch_month_tallies,
    fetch_overdue_at,
    fetch_received_between,
    fetch_top_subjects,
)
from storage.queries.cases import fetch_categories
from storage.queries.people import fetch_units, record_audit

PUBLIC_TARGET = 350
MONITOR_TARGET = 250


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
    overdue: list[tuple[str, str, int]] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    top_products: list[tuple[str, int]] = field(default_factory=list)
    counting: str = "working"
    """How deadlines are counted (`CASE_DAY_COUNTING`); days to close are calendar days."""

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
        (number, units.get(unit or "", t(language, "summary.unassigned")), (as_of - due).days)
        for number, unit, due in fetch_overdue_at(session=session, as_of=as_of)
    ]
    ytd = fetch_received_between(session=session, first=date(year, 1, 1), last=last)
    public = ytd.get(CaseKind.PRODUCT.value, 0) + ytd.get(CaseKind.SERVICE.value, 0)
    monitor = ytd.get(CaseKind.MONITOR.value, 0)
    months_left = 12 - month
    for label_key, target, done in (
        ("summary.target_public", PUBLIC_TARGET, public),
        ("summary.target_monitor", MONITOR_TARGET, monitor),
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
) -> MonthlySummary:
    """/summary: the month's figures, with the audit row (`case.summary`, target YYYY-MM)
    written in the same transaction."""
    summary = build_summary(
        session=session, year=year, month=month, today=today, language=language, counting=counting
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


def render_html(summary: MonthlySummary, language: str, *, roc: bool = False) -> str:
    return templating.render(
        "cases/summary.html.j2",
        s=summary,
        lang=language,
        tr=lambda key, **v: t(language, key, **v),
        month_label=format_month(summary.year, summary.month, language, roc=roc),
        as_of=format_day(summary.as_of, language, roc=roc),
        fmt=_fmt,
        pct=_pct,
        days_note=days_note(summary, language),
    )


def days_note(summary: MonthlySummary, language: str) -> str:
    """One sentence: days to close and days late are calendar days; how deadlines count."""
    counting = t(language, f"summary.counting_{summary.counting}")
    return t(language, "summary.days_note", counting=counting)


def csv_rows(summary: MonthlySummary, language: str) -> list[list[object]]:
    """One flat table: section, key, label, received, closed, open at month end, value."""
    rows: list[list[object]] = []
    for section, group in (
        ("kind", summary.by_kind),
        ("category", summary.by_category),
        ("unit", summary.by_unit),
    ):
        for r in group:
            rows.append([section, r.key, r.label, r.received, r.closed, r.open_at_end, ""])
    rows.append(
        [
            "total",
            "",
            t(language, "summary.total"),
            summary.received,
            summary.closed,
            summary.open_at_end,
            "",
        ]
    )
    rows.append(
        [
            "figure",
            "on_time",
            t(language, "summary.on_time_rate"),
            "",
            summary.on_time,
            "",
            _pct(summary.on_time_rate),
        ]
    )
    rows.append(
        [
            "figure",
            "mean_days",
            t(language, "summary.mean_days"),
            "",
            "",
            "",
            _fmt(summary.mean_days),
        ]
    )
    rows.append(
        [
            "figure",
            "median_days",
            t(language, "summary.median_days"),
            "",
            "",
            "",
            _fmt(summary.median_days),
        ]
    )
    for target in summary.targets:
        rows.append(
            [
                "target",
                target.target,
                target.label,
                target.to_date,
                "",
                "",
                _fmt(target.per_month_needed),
            ]
        )
    for number, unit, days_late in summary.overdue:
        rows.append(["overdue", number, unit, "", "", "", days_late])
    for subject, count in summary.top_products:
        rows.append(["product", "", subject, count, "", "", ""])
    return rows


def write_chart(summary: MonthlySummary, path: Path, language: str, *, roc: bool) -> Path:
    """Received, closed and open at month end per kind, as a grouped bar chart."""
    plt = pyplot()
    lang = chart_language(language)
    figure, axes = plt.subplots(figsize=(8, 4.5), dpi=100)
    labels = [t(lang, f"cases.kinds.{r.key}") for r in summary.by_kind]
    x = range(len(labels))
    width = 0.26
    series = (
        ("summary.received", [r.received for r in summary.by_kind]),
        ("summary.closed", [r.closed for r in summary.by_kind]),
        ("summary.open_at_end", [r.open_at_end for r in summary.by_kind]),
    )
    for i, (key, values) in enumerate(series):
        axes.bar([p + (i - 1) * width for p in x], values, width, label=t(lang, key))
    axes.set_xticks(list(x), labels)
    axes.set_title(
        t(
            lang,
            "summary.chart_title",
            month=format_month(summary.year, summary.month, lang, roc=roc),
        )
    )
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, format="png")
    plt.close(figure)
    return path


def write_report(
    summary: MonthlySummary, out_dir: Path, language: str, *, roc: bool = False
) -> list[Path]:
    """DIR/complaints-YYYY-MM.html, .csv (UTF-8 with BOM) and .png."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"complaints-{summary.year:04d}-{summary.month:02d}"
    html_path = out_dir / f"{stem}.html"
    html_path.write_text(render_html(summary, language, roc=roc), encoding="utf-8")
    header = [
        t(language, f"summary.csv.{c}")
        for c in ("section", "key", "label", "received", "closed", "open_at_end", "value")
    ]
    csv_path = write_csv(out_dir / f"{stem}.csv", header, csv_rows(summary, language))
    png_path = write_chart(summary, out_dir / f"{stem}.png", language, roc=roc)
    return [html_path, csv_path, png_path]


def summary_text(summary: MonthlySummary, language: str, *, roc: bool = False) -> str:
    """The short chat reply sent with the three files."""
    key = "summary.chat_empty" if summary.empty else "summary.chat"
    return t(
        language,
        key,
        month=format_month(summary.year, summary.month, language, roc=roc),
        received=summary.received,
        closed=summary.closed,
        open=summary.open_at_end,
        on_time=_pct(summary.on_time_rate),
        overdue=len(summary.overdue),
        median=_fmt(summary.median_days),
    )
