"""Report periods for the case follow-ups: `2027-H1` (January–June), `2027-H2`, `2027`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from kernel.errors import UserError

_PERIOD = re.compile(r"([0-9]{4})(?:-[Hh]([12]))?")


@dataclass(frozen=True)
class Period:
    year: int
    half: int | None
    first: date
    last: date

    @property
    def code(self) -> str:
        return f"{self.year}-H{self.half}" if self.half else str(self.year)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        if self.half == 2:
            return make_period(self.year, 1)
        if self.half == 1:
            return make_period(self.year - 1, 2)
        return make_period(self.year - 1, None)


def make_period(year: int, half: int | None) -> Period:
    if half == 1:
        return Period(year, 1, date(year, 1, 1), date(year, 6, 30))
    if half == 2:
        return Period(year, 2, date(year, 7, 1), date(year, 12, 31))
    return Period(year, None, date(year, 1, 1), date(year, 12, 31))


def parse_period(text: str) -> Period:
    """`2027-H1`, `2027-H2` or `2027`; anything else is one sentence saying what is accepted."""
    match = _PERIOD.fullmatch(text.strip())
    if match is None or not 2000 <= int(match.group(1)) <= 2200:
        raise UserError("surveys.errors.bad_period", value=text[:32])
    half = match.group(2)
    return make_period(int(match.group(1)), int(half) if half else None)
