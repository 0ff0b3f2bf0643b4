"""A report period: a month (`2027-03`), a half-year (`2027-H1`, `2027-H2`) or a year (`2027`).

One type and one parser for every command, option and report: its bounds (dates, and moments in
a time zone), its code (how commands take it, files are named and rows are stored), its label in
either language with ROC years, the period of the same length just before it, and the
self-assessment's publication deadline (a first half-year by 15 July, a year by 15 January of
the next year). A text that is not a period, or not one of the kinds a command takes, is refused
with one error, `period.bad`, naming the forms that command accepts. A month typed into a
record (the self-assessment's 考核年月) is read by `parse_month`, which leaves the error to the
record's field.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from kernel.dates import FIRST_YEAR, LAST_YEAR, ascii_text
from kernel.errors import UserError
from kernel.reporting import format_month, plain, roc_year

MIN_YEAR = 2000
MAX_YEAR = 2200
_PERIOD = re.compile(r"([0-9]{4})(?:-(?:([Hh])([0-9])|([0-9]{2})))?")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class Kind(StrEnum):
    MONTH = "month"
    FIRST_HALF = "h1"
    SECOND_HALF = "h2"
    YEAR = "year"


EVERY_KIND = frozenset(Kind)
ASSESSED = frozenset({Kind.FIRST_HALF, Kind.YEAR})
"""What the self-assessment and the complaint analysis cover: a first half-year or a year."""
HALVES_AND_YEARS = frozenset({Kind.FIRST_HALF, Kind.SECOND_HALF, Kind.YEAR})
_EXAMPLES = {
    Kind.MONTH: "2027-03",
    Kind.FIRST_HALF: "2027-H1",
    Kind.SECOND_HALF: "2027-H2",
    Kind.YEAR: "2027",
}


@dataclass(frozen=True, order=True)
class Period:
    """A year, with a half (1 or 2) or a month (1–12), never both."""

    year: int
    half: int | None = None
    month: int | None = None

    def __post_init__(self) -> None:
        if self.half is not None and self.month is not None:
            raise ValueError("a period is a half-year or a month, not both")
        if self.half not in (None, 1, 2) or (self.month is not None and not 1 <= self.month <= 12):
            raise ValueError(f"no such period: {self.year} {self.half} {self.month}")

    @classmethod
    def of_month(cls, year: int, month: int) -> Period:
        return cls(year, month=month)

    @classmethod
    def of_half(cls, year: int, half: int) -> Period:
        return cls(year, half=half)

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls(year)

    @property
    def kind(self) -> Kind:
        if self.month is not None:
            return Kind.MONTH
        if self.half is not None:
            return Kind.FIRST_HALF if self.half == 1 else Kind.SECOND_HALF
        return Kind.YEAR

    @property
    def year_month(self) -> tuple[int, int]:
        """(year, month) of a month."""
        if self.month is None:
            raise ValueError(f"{self.code} is not a month")
        return self.year, self.month

    @property
    def first_half(self) -> bool:
        """Whether this is a first half-year (January–June)."""
        return self.half == 1

    @property
    def code(self) -> str:
        """`2027-03`, `2027-H1`, `2027-H2` or `2027`."""
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        if self.half is not None:
            return f"{self.year:04d}-H{self.half}"
        return f"{self.year:04d}"

    @property
    def first(self) -> date:
        """The first day."""
        if self.month is not None:
            return date(self.year, self.month, 1)
        return date(self.year, 7 if self.half == 2 else 1, 1)

    @property
    def last(self) -> date:
        """The last day."""
        if self.month is not None:
            return date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    def starts(self, tz: ZoneInfo) -> datetime:
        """Midnight at the start of the first day in `tz`."""
        return datetime.combine(self.first, time(), tzinfo=tz)

    def ends(self, tz: ZoneInfo) -> datetime:
        """Midnight after the last day in `tz` (the end, not included)."""
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=tz)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        if self.month is not None:
            if self.month == 1:
                return Period(self.year - 1, month=12)
            return Period(self.year, month=self.month - 1)
        if self.half == 2:
            return Period(self.year, half=1)
        if self.half == 1:
            return Period(self.year - 1, half=2)
        return Period(self.year - 1)

    @property
    def deadline(self) -> date:
        """When the self-assessment's results must be published: 15 July for a first
        half-year, 15 January of the next year for a second half-year or a year."""
        if self.month is not None:
            raise ValueError("a month has no publication deadline")
        return date(self.year, 7, 15) if self.half == 1 else date(self.year + 1, 1, 15)

    def label(self, language: str, *, roc: bool) -> str:
        """民國 116 年 3 月 / 116 年上半年 / 2027 年度 / first half of 2027 (ROC 116)."""
        if self.month is not None:
            return format_month(self.year, self.month, language, roc=roc)
        shown = roc_year(self.year) if roc and language == "zh-TW" else self.year
        if self.half == 1:
            text = plain(language, "period.label_h1", year=shown)
        elif self.half == 2:
            text = plain(language, "period.label_h2", year=shown)
        else:
            text = plain(language, "period.label_year", year=shown)
        if roc and language != "zh-TW":
            text += f" (ROC {roc_year(self.year)})"
        return text


def parse_period(text: str, *, kinds: frozenset[Kind] = EVERY_KIND) -> Period:
    """`2027-03`, `2027-H1`, `2027-H2` or `2027` (any case, spaces trimmed), of one of `kinds`;
    anything else is `period.bad`, which names the forms accepted."""
    found = _PERIOD.fullmatch(text.strip())
    period = None
    if found is not None and MIN_YEAR <= int(found.group(1)) <= MAX_YEAR:
        year, half, month = int(found.group(1)), found.group(3), found.group(4)
        if half is not None and half in "12":
            period = Period(year, half=int(half))
        elif month is not None and 1 <= int(month) <= 12:
            period = Period(year, month=int(month))
        elif found.group(2) is None and month is None:
            period = Period(year)
    if period is None or period.kind not in kinds:
        accepted = " / ".join(example for kind, example in _EXAMPLES.items() if kind in kinds)
        raise UserError("period.bad", value=text.strip()[:20], accepted=accepted)
    return period


def current_assessment_period(today: date) -> Period:
    """The self-assessment period whose publication is next due: last year's until 15 January,
    then this year's first half until 15 July, then this year's."""
    if today <= date(today.year, 1, 15):
        return Period(today.year - 1)
    if today <= date(today.year, 7, 15):
        return Period(today.year, half=1)
    return Period(today.year)


MONTHS = frozenset({Kind.MONTH})


def parse_month(raw: str) -> Period | None:
    """`YYYY-MM` as people type it into a record (full-width digits too, `２０２７－０７`), a month
    of the years a record can fall in (`kernel.dates`); None otherwise, for the caller to
    refuse in the words of its field."""
    found = _MONTH.fullmatch(ascii_text(raw))
    if found is None:
        return None
    year, month = int(found.group(1)), int(found.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR or not 1 <= month <= 12:
        return None
    return Period(year, month=month)


def parse_past_month(text: str, *, today: date) -> Period:
    """`YYYY-MM` of a month that has begun by `today`; other shapes are `period.bad`, a later
    month `period.future`."""
    period = parse_period(text, kinds=MONTHS)
    if period.first > today:
        raise UserError("period.future", period=period.code)
    return period


def last_complete_month(today: date) -> Period:
    """The month before `today`'s."""
    return (
        Period(today.year - 1, month=12)
        if today.month == 1
        else Period(today.year, month=today.month - 1)
    )
