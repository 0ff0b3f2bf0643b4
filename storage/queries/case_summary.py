"""The monthly summary of cases: SQL aggregation only (grouping and counting happen in the
database, so a summary over 100,000 cases stays fast); the figures are shaped in bot/cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, union_all
from sqlmodel import Session, col, select

from storage.models import Case, Category, Unit
from storage.models.cases import CaseKind, CaseState


@dataclass(frozen=True)
class Tally:
    """Counts for one group (a kind, a category or a unit) in one month."""

    key: str
    received: int = 0
    closed: int = 0
    open_at_end: int = 0


def _on_file_between(first: date, last: date) -> ColumnElement[bool]:
    """Received by `last` and not closed before `first` (open, or closed on or after it).

    A union of two index range lookups, so a decade of long-closed cases is never read row by
    row; the (received_on, closed_on) and (closed_on, received_on) indexes serve both recent
    and old months."""
    return col(Case.id).in_(
        union_all(
            select(col(Case.id)).where(
                col(Case.closed_on).is_(None), col(Case.received_on) <= last
            ),
            select(col(Case.id)).where(
                col(Case.closed_on) >= first, col(Case.received_on) <= last
            ),
        )
    )


def _in_month(column: Any, first: date, last: date) -> ColumnElement[bool]:
    return and_(column >= first, column <= last)


def fetch_month_tallies(
    session: Session, *, group: str, first: date, last: date
) -> list[tuple[str | None, int, int, int]]:
    """(group key, received, closed, open at `last`) per kind, category code or unit code."""
    open_at_end = and_(
        col(Case.received_on) <= last,
        or_(col(Case.closed_on).is_(None), col(Case.closed_on) > last),
    )
    received = func.sum(case((_in_month(col(Case.received_on), first, last), 1), else_=0))
    closed = func.sum(case((_in_month(col(Case.closed_on), first, last), 1), else_=0))
    still_open = func.sum(case((open_at_end, 1), else_=0))
    # Received in the month, closed in it, or open at its end: all were received by its end
    # and not closed before it began. Written so both indexes (closed_on, received_on) serve.
    relevant = _on_file_between(first, last)
    if group == "kind":
        key = col(Case.kind)
        query = select(key, received, closed, still_open).where(relevant).group_by(key)
    elif group == "category":
        key = col(Category.code)
        query = (
            select(key, received, closed, still_open)
            .select_from(Case)
            .outerjoin(Category, col(Category.id) == Case.category_id)
            .where(relevant)
            .group_by(key)
        )
    elif group == "unit":
        key = col(Unit.code)
        query = (
            select(key, received, closed, still_open)
            .select_from(Case)
            .outerjoin(Unit, col(Unit.id) == Case.unit_id)
            .where(relevant)
            .group_by(key)
        )
    else:
        raise ValueError(group)
    return [(k, int(r or 0), int(c or 0), int(o or 0)) for k, r, c, o in session.execute(query)]


def fetch_closing_figures(
    session: Session, *, first: date, last: date
) -> tuple[int, int, float | None, float | None]:
    """(closed, closed on time, mean days to close, median days to close) for the month."""
    closed_in = _in_month(col(Case.closed_on), first, last)
    total, on_time, mean = session.execute(
        select(
            func.count(),
            func.sum(case((col(Case.closure) == "on_time", 1), else_=0)),
            func.avg(col(Case.days_to_close)),
        ).where(closed_in)
    ).one()
    total = int(total or 0)
    median: float | None = None
    if total:
        middle = session.execute(
            select(col(Case.days_to_close))
            .where(closed_in)
            .order_by(col(Case.days_to_close))
            .offset((total - 1) // 2)
            .limit(2 if total % 2 == 0 else 1)
        ).scalars()
        values = [int(v) for v in middle]
        median = sum(values) / len(values)
    return total, int(on_time or 0), float(mean) if mean is not None else None, median


def fetch_overdue_at(
    session: Session, *, as_of: date, limit: int = 500
) -> list[tuple[str, str | None, date, date]]:
    """(number, unit code, received, deadline) of cases open and past their deadline on
    `as_of`."""
    rows = session.execute(
        select(col(Case.number), col(Unit.code), col(Case.received_on), col(Case.due_on))
        .select_from(Case)
        .outerjoin(Unit, col(Unit.id) == Case.unit_id)
        .where(
            _on_file_between(as_of + timedelta(days=1), as_of),
            or_(col(Case.replied_on).is_(None), col(Case.replied_on) > as_of),
            col(Case.state) != CaseState.NEEDS_INFO.value,
            col(Case.due_on) < as_of,
        )
        .order_by(col(Case.due_on), col(Case.number))
        .limit(limit)
    ).all()
    return [(n, u, r, d) for n, u, r, d in rows]


def fetch_received_between(session: Session, *, first: date, last: date) -> dict[str, int]:
    """Cases received per kind between two dates (year to date)."""
    rows = session.execute(
        select(col(Case.kind), func.count())
        .where(col(Case.received_on) >= first, col(Case.received_on) <= last)
        .group_by(col(Case.kind))
    ).all()
    return {k: int(n) for k, n in rows}


def fetch_top_subjects(
    session: Session, *, first: date, last: date, limit: int = 10
) -> list[tuple[str, int]]:
    """The most-reported products (product and monitor reports) received in the period."""
    subject = func.lower(func.trim(col(Case.subject)))
    rows = session.execute(
        select(func.min(col(Case.subject)), func.count())
        .where(
            col(Case.kind) != CaseKind.SERVICE.value,  # (not IN: keeps the date index in use)
            col(Case.received_on) >= first,
            col(Case.received_on) <= last,
        )
        .group_by(subject)
        .order_by(func.count().desc(), subject)
        .limit(limit)
    ).all()
    return [(s, int(n)) for s, n in rows]
