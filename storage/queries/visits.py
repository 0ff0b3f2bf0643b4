"""Visits to firms and the needs firms raise: storing, answering, a period's rows, the open
needs (of a unit or all), and who is reminded of a unit's needs."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from storage.models import FirmNeed, Person, Role, RoleGrant, Unit, Visit
from storage.models.base import STAFF_ROLES


def save_visit(session: Session, *, visit: Visit, needs: list[FirmNeed]) -> Visit:
    """Store a visit and its needs (flushed, so both have ids)."""
    session.add(visit)
    session.flush()
    for need in needs:
        need.visit_id = visit.id
        session.add(need)
    session.flush()
    return visit


def save_need(session: Session, *, need: FirmNeed) -> FirmNeed:
    session.add(need)
    session.flush()
    return need


def fetch_need(session: Session, *, need_id: int, for_update: bool = False) -> FirmNeed | None:
    """A need by id; `for_update` locks its row (PostgreSQL) until the transaction ends."""
    statement = select(FirmNeed).where(FirmNeed.id == need_id)
    if for_update:
        statement = statement.with_for_update()
    return session.exec(statement).first()


def fetch_visits(session: Session, *, first: date, last: date) -> list[Visit]:
    """Visits dated from `first` to `last`, both included, by day then id."""
    return list(
        session.exec(
            select(Visit)
            .where(col(Visit.visited_on) >= first, col(Visit.visited_on) <= last)
            .order_by(col(Visit.visited_on), col(Visit.id))
        ).all()
    )


def fetch_needs_raised(session: Session, *, first: date, last: date) -> list[FirmNeed]:
    """Needs raised from `first` to `last`, both included, by day then id."""
    return list(
        session.exec(
            select(FirmNeed)
            .where(col(FirmNeed.raised_on) >= first, col(FirmNeed.raised_on) <= last)
            .order_by(col(FirmNeed.raised_on), col(FirmNeed.id))
        ).all()
    )


def fetch_open_needs(session: Session, *, unit_ids: set[int] | None = None) -> list[FirmNeed]:
    """Needs not answered yet (of `unit_ids` only, when given), the soonest due first."""
    statement = select(FirmNeed).where(col(FirmNeed.answered_on).is_(None))
    if unit_ids is not None:
        statement = statement.where(col(FirmNeed.unit_id).in_(sorted(unit_ids)))
    return list(session.exec(statement.order_by(col(FirmNeed.due_on), col(FirmNeed.id))).all())


def fetch_units_by_id(session: Session) -> dict[int, Unit]:
    """Every unit, retired ones too (an old visit keeps its unit's name)."""
    return {u.id: u for u in session.exec(select(Unit)).all() if u.id is not None}


def fetch_need_recipients(session: Session, *, unit_id: int) -> list[Person]:
    """Who is reminded of a unit's need: its staff (a staff grant within the unit) and the
    secretariat, each once, none blocked."""
    unit_staff = and_(
        col(RoleGrant.unit_id) == unit_id, col(RoleGrant.role).in_([r.value for r in STAFF_ROLES])
    )
    return list(
        session.exec(
            select(Person)
            .join(RoleGrant, col(RoleGrant.person_id) == Person.id)
            .where(
                col(RoleGrant.revoked_at).is_(None),
                col(Person.blocked).is_(False),
                or_(unit_staff, col(RoleGrant.role) == Role.SECRETARIAT.value),
            )
            .distinct()
            .order_by(col(Person.id))
        ).all()
    )
