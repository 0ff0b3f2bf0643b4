"""A half-year's or a year's complaint analysis: SQL aggregation only (GROUP BY and SUM(CASE…)
in the database, never a loop over the rows), portable to SQLite and PostgreSQL (months are
compared as date ranges computed in Python, not with a date function).

Handled = finished in the period (`closed_on` in it) and not a duplicate or a transfer out;
on time = handled and recorded 依限辦結.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from storage.models import Case, Category, Unit
from storage.models.cases import CaseState, Closure
from storage.queries.case_summary import _on_file_between

NOT_HANDLED_STATES = (CaseState.DUPLICATE.value, CaseState.TRANSFERRED.value)
"""Finished cases that are not counted as handled: duplicates and transfers out."""

GROUPS = ("kind", "category", "unit", "channel")


def _between(column: Any, first: date, last: date) -> ColumnElement[bool]:
    return and_(column >= first, column <= last)


def _handled(first: date, last: date) -> ColumnElement[bool]:
    return and_(
        _between(col(Case.closed_on), first, last), col(Case.state).not_in(NOT_HANDLED_STATES)
    )


def _open_at(last: date) -> ColumnElement[bool]:
    return and_(
        col(Case.received_on) <= last,
        or_(col(Case.closed_on).is_(None), col(Case.closed_on) > last),
    )


def _count(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def fetch_period_tallies(
    session: Session, *, group: str, first: date, last: date
) -> list[tuple[str | None, int, int, int, int]]:
    """(key, received, handled, handled on time, open at `last`) per kind, category code,
    unit code or channel, for cases on file in the period."""
    handled = _handled(first, last)
    measures = (
        _count(_between(col(Case.received_on), first, last)),
        _count(handled),
        _count(and_(handled, col(Case.closure) == Closure.ON_TIME.value)),
        _count(_open_at(last)),
    )
    relevant = _on_file_between(first, last)
    if group in ("kind", "channel"):
        key = col(Case.kind) if group == "kind" else col(Case.channel)
        query = select_columns(key, *measures).where(relevant).group_by(key)
    elif group == "category":
        key = col(Category.code)
        query = (
            select_columns(key, *measures)
            .select_from(Case)
            .outerjoin(Category, col(Category.id) == Case.category_id)
            .where(relevant)
            .group_by(key)
        )
    elif group == "unit":
        key = col(Unit.code)
        query = (
            select_columns(key, *measures)
            .select_from(Case)
            .outerjoin(Unit, col(Unit.id) == Case.unit_id)
            .where(relevant)
            .group_by(key)
        )
    else:
        raise ValueError(group)
    return [
        (k, int(r or 0), int(h or 0), int(o or 0), int(e or 0))
        for k, r, h, o, e in session.execute(query)
    ]


def fetch_monthly_counts(
    session: Session, *, months: Sequence[tuple[date, date]]
) -> list[tuple[int, int, int]]:
    """(received, handled, handled on time) for each (first, last) month, in one query."""
    if not months:
        return []
    columns = []
    for first, last in months:
        handled = _handled(first, last)
        columns += [
            _count(_between(col(Case.received_on), first, last)),
            _count(handled),
            _count(and_(handled, col(Case.closure) == Closure.ON_TIME.value)),
        ]
    row = session.execute(
        select_columns(*columns).where(_on_file_between(months[0][0], months[-1][1]))
    ).one()
    values = [int(v or 0) for v in row]
    return [(values[i], values[i + 1], values[i + 2]) for i in range(0, len(values), 3)]


def fetch_handled_days(
    session: Session, *, first: date, last: date
) -> list[tuple[str | None, int]]:
    """(unit code, days to close) of every case handled in the period, for medians: one row
    per handled case of the period (a year's worth, not the whole table)."""
    rows = session.execute(
        select(col(Unit.code), col(Case.days_to_close))
        .select_from(Case)
        .outerjoin(Unit, col(Unit.id) == Case.unit_id)
        .where(_handled(first, last), col(Case.days_to_close).is_not(None))
    ).all()
    return [(u, int(d)) for u, d in rows]


def fetch_handled_by_kind(session: Session, *, first: date, last: date) -> dict[str, int]:
    """Cases handled per kind in the period (progress against the year's targets)."""
    rows = session.execute(
        select(col(Case.kind), func.count()).where(_handled(first, last)).group_by(col(Case.kind))
    ).all()
    return {k: int(n) for k, n in rows}


def fetch_overdue_by_unit(session: Session, *, as_of: date) -> dict[str | None, int]:
    """unit code → cases open and past their deadline on `as_of` (not waiting on the
    reporter, not yet replied)."""
    rows = session.execute(
        select(col(Unit.code), func.count())
        .select_from(Case)
        .outerjoin(Unit, col(Unit.id) == Case.unit_id)
        .where(
            _open_at(as_of),
            or_(col(Case.replied_on).is_(None), col(Case.replied_on) > as_of),
            col(Case.state) != CaseState.NEEDS_INFO.value,
            col(Case.due_on) < as_of,
        )
        .group_by(col(Unit.code))
    ).all()
    return {u: int(n) for u, n in rows}
