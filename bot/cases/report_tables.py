"""What the monthly summary and the half-year or year analysis share: the overdue list and
the most-reported products, declared once as tables (`kernel.tables`), the overdue rows read
at a day's end, and the sentence saying which targets are the plan's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from operator import attrgetter, itemgetter

from sqlmodel import Session

from kernel.reporting import plain, roc_year
from kernel.tables import Column, Kind, Table
from storage.queries.assessment import Targets
from storage.queries.case_summary import fetch_overdue_at


@dataclass(frozen=True)
class OverdueRow:
    number: str
    unit: str
    days_late: int
    received_on: date
    due_on: date


OVERDUE: Table[OverdueRow] = Table(
    "summary.overdue",
    (
        Column("summary.number", attrgetter("number"), Kind.CODE),
        Column("summary.unit", attrgetter("unit"), Kind.TEXT),
        Column("reports.summary.received_on", attrgetter("received_on"), Kind.DATE),
        Column("reports.summary.due_on", attrgetter("due_on"), Kind.DATE),
        Column("summary.days_late", attrgetter("days_late"), Kind.DAYS, css="n late"),
    ),
)
"""Cases still open after their due day, at the day the report counts to."""

TOP_PRODUCTS: Table[tuple[str, int]] = Table(
    "summary.top_products",
    (
        Column("summary.product", itemgetter(0), Kind.TEXT, css=""),
        Column("summary.count", itemgetter(1), Kind.COUNT),
    ),
    row_header=False,
)
"""The products reported most often, with their count."""


def overdue_rows(
    session: Session, *, as_of: date, units: dict[str, str], language: str
) -> list[OverdueRow]:
    """The cases open and past due at the end of `as_of`, most overdue first; `units` names
    each unit by its code."""
    unassigned = plain(language, "summary.unassigned")
    return [
        OverdueRow(number, units.get(unit or "", unassigned), (as_of - due).days, received, due)
        for number, unit, received, due in fetch_overdue_at(session=session, as_of=as_of)
    ]


def targets_note(targets: Targets, language: str, *, roc: bool) -> str | None:
    """The sentence saying which figures are the plan's because the year has none set; its
    year in ROC (115 年) when the report's dates are, like the rest of a Chinese report. The
    training target is not named: the pack's training section says where its own comes from."""
    defaulted = targets.defaulted - {"training"}
    if not defaulted:
        return None
    names = "、" if language == "zh-TW" else ", "
    return plain(
        language,
        "targets.fallback",
        year=roc_year(targets.year) if roc and language == "zh-TW" else targets.year,
        figures=names.join(plain(language, f"targets.name_{n}") for n in sorted(defaulted)),
    )
