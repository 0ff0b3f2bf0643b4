"""A period's visits and the needs raised in it (with a visit or by phone or e-mail), each need's
state as of a day, and the counts per unit that `visit list` prints and the evidence shows.

A need is answered on time (on or before its deadline) or late; unanswered, it is open, or
overdue once its deadline has passed. Its share on time counts the needs whose outcome is known:
on time of those answered or overdue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from sqlmodel import Session

from kernel.periods import Period
from storage.models import FirmNeed, Unit, Visit
from storage.queries import visits as q
from storage.queries.people import fetch_units


class NeedState(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    OPEN = "open"
    OVERDUE = "overdue"


def need_state(need: FirmNeed, *, today: date) -> NeedState:
    if need.answered_on is not None:
        return NeedState.ON_TIME if need.answered_on <= need.due_on else NeedState.LATE
    return NeedState.OVERDUE if today > need.due_on else NeedState.OPEN


@dataclass
class UnitCounts:
    """One unit's figures for a period."""

    visits: int = 0
    firms: int = 0
    """Firms (統一編號) visited, each once."""
    needs: int = 0
    answered: int = 0
    on_time: int = 0
    late: int = 0
    open: int = 0
    """Unanswered, overdue ones included."""
    overdue: int = 0

    @property
    def share_on_time(self) -> float | None:
        known = self.on_time + self.late + self.overdue
        return self.on_time / known if known else None


@dataclass(frozen=True)
class VisitLine:
    visit: Visit
    needs: list[FirmNeed]


@dataclass
class VisitList:
    period: Period
    today: date
    units: dict[int, Unit]
    """Every unit by id, retired ones too (an old visit keeps its unit's name)."""
    roster: list[Unit]
    """The active units in the directory's order: every one is counted, zeros included."""
    visits: list[VisitLine] = field(default_factory=list)
    lone: list[FirmNeed] = field(default_factory=list)
    """Needs raised in the period without a visit (by phone or e-mail)."""
    counts: dict[int, UnitCounts] = field(default_factory=dict)

    def state(self, need: FirmNeed) -> NeedState:
        return need_state(need, today=self.today)

    def counts_of(self, unit_id: int | None) -> UnitCounts:
        """A unit's figures; zeros for a unit with nothing in the period."""
        return self.counts.get(unit_id or 0, UnitCounts())


def build_visit_list(session: Session, *, period: Period, today: date) -> VisitList:
    """The visits dated in the period and the needs raised in it, states as of `today`."""
    listing = VisitList(
        period, today, q.fetch_units_by_id(session=session), fetch_units(session=session)
    )
    last = min(period.last, today)
    needs = q.fetch_needs_raised(session=session, first=period.first, last=last)
    by_visit: dict[int, list[FirmNeed]] = {}
    for need in needs:
        if need.visit_id is None:
            listing.lone.append(need)
        else:
            by_visit.setdefault(need.visit_id, []).append(need)
    firms: dict[int, set[str]] = {}
    for visit in q.fetch_visits(session=session, first=period.first, last=last):
        assert visit.id is not None
        listing.visits.append(VisitLine(visit, by_visit.get(visit.id, [])))
        counts = listing.counts.setdefault(visit.unit_id, UnitCounts())
        counts.visits += 1
        firms.setdefault(visit.unit_id, set()).add(visit.tax_id)
    for unit_id, seen in firms.items():
        listing.counts[unit_id].firms = len(seen)
    for need in needs:
        counts = listing.counts.setdefault(need.unit_id, UnitCounts())
        counts.needs += 1
        state = listing.state(need)
        counts.answered += state in (NeedState.ON_TIME, NeedState.LATE)
        counts.on_time += state is NeedState.ON_TIME
        counts.late += state is NeedState.LATE
        counts.open += state in (NeedState.OPEN, NeedState.OVERDUE)
        counts.overdue += state is NeedState.OVERDUE
    return listing


@dataclass(frozen=True)
class OpenNeed:
    need: FirmNeed
    unit: Unit
    state: NeedState


def open_needs(
    session: Session, *, unit_ids: frozenset[int] | None, today: date
) -> list[OpenNeed]:
    """Unanswered needs of `unit_ids` (every unit's when None), the soonest due first."""
    units = q.fetch_units_by_id(session=session)
    found = q.fetch_open_needs(
        session=session, unit_ids=None if unit_ids is None else set(unit_ids)
    )
    return [OpenNeed(n, units[n.unit_id], need_state(n, today=today)) for n in found]
