"""Periods of the self-assessment: `YYYY-H1` (the first half-year, published by 15 July) and
`YYYY` (the whole year, published by 15 January of the next year)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.cases.periods import period_bounds, period_code, period_label
from kernel.errors import UserError

_PERIOD = re.compile(r"^(\d{4})(-[Hh]1)?$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    first_half: bool

    @property
    def code(self) -> str:
        """`2027-H1` or `2027`: how commands take it, files are named and rows are stored."""
        return period_code(self.year, self.first_half)

    @property
    def first(self) -> date:
        return period_bounds(self.year, self.first_half)[0]

    @property
    def last(self) -> date:
        return period_bounds(self.year, self.first_half)[1]

    @property
    def deadline(self) -> date:
        """When the results must be published: 15 July, or 15 January of the next year."""
        return date(self.year, 7, 15) if self.first_half else date(self.year + 1, 1, 15)

    def label(self, language: str, *, roc: bool) -> str:
        return period_label(self.year, self.first_half, language, roc=roc)


def parse_period(text: str) -> Period:
    """`2027-H1` or `2027` → Period; anything else is refused in one sentence."""
    found = _PERIOD.match(text.strip())
    if found is None or not 2000 <= int(found.group(1)) <= 2999:
        raise UserError("period.bad", value=text.strip()[:20])
    return Period(int(found.group(1)), found.group(2) is not None)


def current_period(today: date) -> Period:
    """The period whose publication is next due: last year's until 15 January, then this
    year's first half until 15 July, then this year's."""
    if today <= date(today.year, 1, 15):
        return Period(today.year - 1, False)
    if today <= date(today.year, 7, 15):
        return Period(today.year, True)
    return Period(today.year, False)
