"""What every source of evidence is made of: the context it reads (the period, the language,
the units), its section (a dimension of 附表1, an aspect, figures per unit or per category)
and the columns its figures are headed and written by. The sources live beside the evidence
(`evidence.py`) or in modules of their own (`evidence_*.py`), all listed in `SOURCES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from zoneinfo import ZoneInfo

from sqlmodel import Session

from kernel.periods import Period
from kernel.reporting import plain
from kernel.tables import Column, Kind, Named, Table
from storage.models import Unit

Value = int | float | tuple[float, float] | None
"""A count, a figure, a share (0.878), a mean or a share's interval (low, high)."""
Line = tuple[Named | str, list[Value]]
"""A row of a section on the page and in the CSV: its unit or category and its values."""


@dataclass(frozen=True)
class Context:
    session: Session
    period: Period
    language: str
    today: date
    pass_mark: int
    tz: ZoneInfo
    units: list[Unit]


def figures(*declared: tuple[str, Kind]) -> tuple[Column[list[Value]], ...]:
    """Each value of a section's row, in order, as a column headed `assessment.evidence.KEY`
    and written by its kind; an interval's two CSV cells are headed KEY_low and KEY_high."""
    return tuple(
        Column(
            f"assessment.evidence.{key}",
            itemgetter(index),
            kind,
            css="n",
            csv_headers=(
                (f"assessment.evidence.{key}_low", f"assessment.evidence.{key}_high")
                if kind is Kind.INTERVAL
                else ()
            ),
        )
        for index, (key, kind) in enumerate(declared)
    )


@dataclass
class Section:
    """One source's figures: `per_unit` (unit code → one value per column) or, for figures
    that are the branch's rather than a unit's, `rows` (label → values); `columns` declare
    how each value is headed and written."""

    dimension: str
    """basic, delivery, capacity, evaluation or innovation."""
    aspect: str
    """The catalogue key of what it shows (assessment.evidence.aspect_*)."""
    columns: tuple[Column[list[Value]], ...]
    per_unit: dict[str, list[Value]] = field(default_factory=dict)
    rows: list[tuple[str, list[Value]]] = field(default_factory=list)
    note: str | None = None
    unit_header: str = "summary.unit"
    """The catalogue key heading the units' column: 承辦單位 where units own cases, 單位 where
    they are the ones tested."""

    def table(self, first_header: str) -> Table[Line]:
        """The section as a table: the unit or category under `first_header`, then its
        columns."""
        values: Callable[[Line], list[Value]] = itemgetter(1)
        return Table(
            f"assessment.evidence.aspect_{self.aspect}",
            (
                Column(first_header, itemgetter(0), Kind.TEXT),
                *(c.through(values) for c in self.columns),
            ),
            empty=None,
        )


Source = Callable[[Context], Section]


def tr(context: Context, key: str, **values: object) -> str:
    return plain(context.language, f"assessment.evidence.{key}", **values)
