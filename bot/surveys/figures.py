"""Satisfaction with case handling for other features (the self-assessment's 服務滿意情形):
the case follow-ups asked in a date range, optionally of one unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.surveys.statistics import count_scores, figures_of
from kernel.reporting import TAIPEI
from storage.queries.surveys import FollowUpRow, fetch_follow_up_rows


@dataclass(frozen=True)
class Satisfaction:
    asked: int
    responses: int
    mean: float | None
    satisfied: float | None
    """Share of responses that are 4 or 5, as a fraction (None without responses)."""
    low: float | None
    high: float | None
    """The share's 95% Wilson interval."""


def satisfaction_for(
    session: Session,
    *,
    start: date,
    end: date,
    unit_id: int | None = None,
    tz: ZoneInfo = TAIPEI,
) -> Satisfaction:
    """Case follow-ups asked from `start` to `end` (both included, local dates)."""
    return _figures(_rows(session, start=start, end=end, unit_id=unit_id, tz=tz))


def satisfaction_by_unit(
    session: Session, *, start: date, end: date, tz: ZoneInfo = TAIPEI
) -> dict[int | None, Satisfaction]:
    """`satisfaction_for` of every owning unit at once (one query); a unit nobody was asked
    about is absent."""
    by_unit: dict[int | None, list[FollowUpRow]] = {}
    for row in _rows(session, start=start, end=end, unit_id=None, tz=tz):
        by_unit.setdefault(row.unit_id, []).append(row)
    return {unit_id: _figures(rows) for unit_id, rows in by_unit.items()}


def _rows(
    session: Session, *, start: date, end: date, unit_id: int | None, tz: ZoneInfo
) -> list[FollowUpRow]:
    return fetch_follow_up_rows(
        session=session,
        asked_from=datetime.combine(start, time(0), tzinfo=tz),
        asked_before=datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz),
        unit_id=unit_id,
    )


def _figures(rows: list[FollowUpRow]) -> Satisfaction:
    f = figures_of(count_scores(r.score for r in rows))
    return Satisfaction(len(rows), f.responses, f.mean, f.satisfied, f.low, f.high)
