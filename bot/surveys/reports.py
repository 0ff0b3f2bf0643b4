"""What a survey report is: invitations, responses and the response rate; per question (for
cases: per kind, unit and on time vs late) the mean, the distribution and the share satisfied (4
or 5) with its 95% Wilson interval, lowest first; the comments, sorted by text and without
anyone's identity; and the trend against the previous survey of the same template (for cases:
the previous period). A periodic survey's report also marks its findings (its lowest item and
those under the threshold satisfied), lists them with their improvement actions, and shows the
previous survey's findings beside the items' new shares.

A periodic survey's report is built by `survey_report.py` (`survey report ID`), the case
follow-ups of a period by `case_report.py` (`survey report --cases --period 2027-H1`); both are
written as one HTML page, one CSV per table and a PNG by `report_files.py`. The figures are read
by question or by group (`storage/queries/surveys.py`), never beside a person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.surveys.statistics import Figures
from kernel.reporting import (
    TAIPEI,
    format_day,
    plain,
)

BAR = "#1f4e99"
LINE = "#b3261e"


@dataclass(frozen=True)
class Row:
    """One line of figures: a question, or a group of case follow-ups."""

    label: str
    label_en: str
    figures: Figures
    asked: int | None = None
    previous: float | None = None
    """The mean in the previous survey (or period), when there is one."""
    finding: str | None = None
    """Why the item is a finding (最低項目、滿意比例低於 80%), in the report's language."""

    @property
    def change(self) -> float | None:
        if self.previous is None or self.figures.mean is None:
            return None
        return round(self.figures.mean - self.previous, 2)

    @property
    def rate_pct(self) -> float | None:
        if not self.asked:
            return None
        return round(100 * self.figures.responses / self.asked, 1)

    @property
    def rate(self) -> float | None:
        """The response rate as a share, as a table's percent column takes it."""
        return None if self.rate_pct is None else self.rate_pct / 100


@dataclass(frozen=True)
class TrendRow:
    label: str
    invited: int
    responses: int
    figures: Figures


@dataclass(frozen=True)
class FindingRow:
    """A finding of the survey with its improvement action (None: none opened yet)."""

    item: str
    satisfied: float | None
    why: str
    action: int | None = None
    unit: str | None = None
    plan: str | None = None
    due: str | None = None
    """The due date with its weekday, 116/04/21（三） (a text: a finding may have none)."""
    state: str | None = None
    verification: str | None = None


@dataclass(frozen=True)
class FollowRow:
    """A finding of the previous survey, how its action ended and the item's share now."""

    item: str
    before: float | None
    why: str
    actions: str
    now: float | None

    @property
    def change(self) -> float | None:
        """The change of the share satisfied, in percentage points."""
        if self.before is None or self.now is None:
            return None
        return round(100 * (self.now - self.before), 1)


@dataclass
class Report:
    name: str
    language: str
    roc: bool
    title: str
    period: str
    invited: int
    responded: int
    finished: int | None
    items: list[Row]
    groups: list[tuple[str, list[Row]]] = field(default_factory=list)
    comments: list[tuple[str, str]] = field(default_factory=list)
    trend: list[TrendRow] = field(default_factory=list)
    subject: str | None = None
    """The survey's own title, as staff wrote it (in whatever language)."""
    threshold: int | None = None
    """The share satisfied (%) under which an item is a finding (periodic surveys only)."""
    findings: list[FindingRow] = field(default_factory=list)
    followed: list[FollowRow] = field(default_factory=list)
    """The previous survey's findings (periodic surveys with a previous one)."""

    @property
    def rate_pct(self) -> float | None:
        return round(100 * self.responded / self.invited, 1) if self.invited else None

    @property
    def chart_rows(self) -> list[Row]:
        """What the chart draws: the questions, or for cases every group."""
        if self.groups:
            return [row for _, rows in self.groups for row in rows]
        return self.items

    def tr(self, key: str, **values: Any) -> str:
        return plain(self.language, f"surveys.report.{key}", **values)


def lowest_first(rows: Iterable[Row]) -> list[Row]:
    """Rows by mean, lowest first; rows without answers last, in their order."""
    listed = list(rows)
    return sorted(
        listed,
        key=lambda r: (r.figures.mean is None, r.figures.mean or 0.0, listed.index(r)),
    )


def local_day(moment: datetime | None, language: str, roc: bool) -> str:
    """The day of `moment` in Taiwan as a report writes it, or — when there is none."""
    return format_day(moment.astimezone(TAIPEI).date(), language, roc=roc) if moment else "—"
