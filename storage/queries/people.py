"""People, roles and invites (the audit log is `audit.py`'s)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from kernel.clock import utcnow
from storage.models import Invite, Person, Role, RoleGrant, Unit
from storage.models.base import STAFF_ROLES

INVITE_VALIDITY = timedelta(hours=72)


@dataclass(frozen=True)
class PersonView:
    """Who is acting, as read from the database for this one update."""

    id: int
    telegram_id: int
    language: str | None
    first_name: str | None
    blocked: bool
    roles: frozenset[Role] = field(default_factory=frozenset)
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    username: str | None = None

    def has_any(self, roles: frozenset[Role] | set[Role]) -> bool:
        return bool(self.roles & roles)

    @property
    def is_staff(self) -> bool:
        return self.has_any(STAFF_ROLES)


def _roles_of(session: Session, *, person_id: int) -> tuple[frozenset[Role], frozenset[int]]:
    rows = session.exec(
        select(RoleGrant.role, RoleGrant.unit_id).where(
            RoleGrant.person_id == person_id, col(RoleGrant.revoked_at).is_(None)
        )
    ).all()
    roles = frozenset(Role(r) for r, _ in rows)
    units = frozenset(u for _, u in rows if u is not None)
    return roles, units


def _view(session: Session, *, person: Person, admin_ids: frozenset[int]) -> PersonView:
    assert person.id is not None
    roles, units = _roles_of(session=session, person_id=person.id)
    if person.telegram_id in admin_ids:
        roles = roles | {Role.ADMIN}
    return PersonView(
        id=person.id,
        telegram_id=person.telegram_id,
        language=person.language,
        first_name=person.first_name,
        blocked=person.blocked,
        roles=roles,
        unit_ids=units,
        username=person.username,
    )


def upsert_person(
    session: Session,
    *,
    telegram_id: int,
    first_name: str | None,
    username: str | None,
    admin_ids: frozenset[int] = frozenset(),
) -> PersonView:
    """The person with this Telegram id, created on first contact, names kept current."""
    person = session.exec(select(Person).where(Person.telegram_id == telegram_id)).first()
    if person is None:
        person = Person(telegram_id=telegram_id, first_name=first_name, username=username)
        session.add(person)
        session.flush()
    elif (person.first_name, person.username) != (first_name, username) or person.blocked:
        person.first_name = first_name
        person.username = username
        if person.blocked:  # they are talking to us again, so they unblocked the bot
            person.blocked = False
            person.blocked_at = None
        session.add(person)
    return _view(session=session, person=person, admin_ids=admin_ids)


def fetch_person_view(
    session: Session, *, telegram_id: int, admin_ids: frozenset[int] = frozenset()
) -> PersonView | None:
    """The person with this Telegram id and their current roles, or None."""
    person = session.exec(select(Person).where(Person.telegram_id == telegram_id)).first()
    return None if person is None else _view(session=session, person=person, admin_ids=admin_ids)


def set_language(session: Session, *, person_id: int, language: str) -> None:
    """Remember the language a person chose."""
    session.execute(update(Person).where(col(Person.id) == person_id).values(language=language))


def set_blocked(session: Session, *, telegram_id: int, blocked: bool) -> bool:
    """Mark a chat blocked or unblocked; True if a person row changed."""
    result = session.execute(
        update(Person)
        .where(col(Person.telegram_id) == telegram_id, col(Person.blocked) != blocked)
        .values(blocked=blocked, blocked_at=utcnow() if blocked else None)
    )
    return bool(getattr(result, "rowcount", 0))


def fetch_unit_by_code(session: Session, *, code: str) -> Unit | None:
    """The unit with this code (or Chinese name), or None."""
    return session.exec(
        select(Unit).where((Unit.code == code.strip().lower()) | (Unit.name_zh == code.strip()))
    ).first()


def fetch_units(session: Session, *, active_only: bool = True) -> list[Unit]:
    """Units in their display order."""
    query = select(Unit).order_by(col(Unit.sort_order), col(Unit.id))
    if active_only:
        query = query.where(col(Unit.active).is_(True))
    return list(session.exec(query).all())


def create_invite(
    session: Session,
    *,
    role: Role,
    unit_id: int | None,
    created_by_id: int | None,
    now: datetime | None = None,
) -> Invite:
    """A single-use invite for `role`, valid for 72 hours."""
    now = now or utcnow()
    invite = Invite(
        code=secrets.token_urlsafe(12).replace("-", "x").replace("_", "y"),
        role=role.value,
        unit_id=unit_id,
        created_by_id=created_by_id,
        created_at=now,
        expires_at=now + INVITE_VALIDITY,
    )
    session.add(invite)
    session.flush()
    return invite


@dataclass(frozen=True)
class Redemption:
    """What redeeming an invite did: `outcome` is granted, already, used, expired or unknown."""

    outcome: str
    role: Role | None = None
    unit_id: int | None = None


def redeem_invite(
    session: Session, *, code: str, person_id: int, now: datetime | None = None
) -> Redemption:
    """Grant the invite's role to the person once; refuse used, expired or unknown codes."""
    now = now or utcnow()
    invite = session.exec(select(Invite).where(Invite.code == code)).first()
    if invite is None:
        return Redemption("unknown")
    role = Role(invite.role)
    if invite.used_at is not None:
        return Redemption("used", role)
    if invite.expires_at <= now:
        return Redemption("expired", role)
    claimed = session.execute(
        update(Invite)
        .where(col(Invite.id) == invite.id, col(Invite.used_at).is_(None))
        .values(used_at=now, used_by_id=person_id)
    )
    if not getattr(claimed, "rowcount", 0):
        return Redemption("used", role)
    existing = session.exec(
        select(RoleGrant).where(
            RoleGrant.person_id == person_id,
            RoleGrant.role == role.value,
            RoleGrant.unit_id == invite.unit_id,
            col(RoleGrant.revoked_at).is_(None),
        )
    ).first()
    if existing is None:
        session.add(
            RoleGrant(
                person_id=person_id,
                role=role.value,
                unit_id=invite.unit_id,
                granted_by_id=invite.created_by_id,
                invite_id=invite.id,
                created_at=now,
            )
        )
        return Redemption("granted", role, invite.unit_id)
    return Redemption("already", role, invite.unit_id)


def grant_role(
    session: Session,
    *,
    person_id: int,
    role: Role,
    unit_id: int | None = None,
    granted_by_id: int | None = None,
) -> RoleGrant:
    """Give a person a role directly (used by the CLI, imports and tests)."""
    grant = RoleGrant(
        person_id=person_id, role=role.value, unit_id=unit_id, granted_by_id=granted_by_id
    )
    session.add(grant)
    session.flush()
    return grant


@dataclass(frozen=True)
class RoleHolder:
    grant_id: int
    telegram_id: int
    first_name: str | None
    username: str | None
    role: Role
    unit_code: str | None


def fetch_role_holders(session: Session) -> list[RoleHolder]:
    """Every active grant with the person and unit, ordered by role then name."""
    rows = session.exec(
        select(RoleGrant, Person, Unit)
        .join(Person, col(Person.id) == RoleGrant.person_id)
        .outerjoin(Unit, col(Unit.id) == RoleGrant.unit_id)
        .where(col(RoleGrant.revoked_at).is_(None))
        .order_by(col(RoleGrant.role), col(Person.first_name), col(RoleGrant.id))
    ).all()
    return [
        RoleHolder(
            grant_id=grant.id or 0,
            telegram_id=person.telegram_id,
            first_name=person.first_name,
            username=person.username,
            role=Role(grant.role),
            unit_code=unit.code if unit else None,
        )
        for grant, person, unit in rows
    ]


def revoke_grant(
    session: Session, *, grant_id: int, revoked_by_id: int | None
) -> RoleHolder | None:
    """Revoke one active grant; returns who lost what, or None if it was not active."""
    holder = next((h for h in fetch_role_holders(session=session) if h.grant_id == grant_id), None)
    if holder is None:
        return None
    session.execute(
        update(RoleGrant)
        .where(col(RoleGrant.id) == grant_id)
        .values(revoked_at=utcnow(), revoked_by_id=revoked_by_id)
    )
    return holder


def fetch_staff_telegram_ids(session: Session) -> dict[int, frozenset[Role]]:
    """Telegram ids of everyone holding a role, with their roles (for command menus)."""
    rows = session.exec(
        select(Person.telegram_id, RoleGrant.role)
        .join(RoleGrant, col(RoleGrant.person_id) == Person.id)
        .where(col(RoleGrant.revoked_at).is_(None))
    ).all()
    found: dict[int, set[Role]] = {}
    for telegram_id, role in rows:
        found.setdefault(telegram_id, set()).add(Role(role))
    return {k: frozenset(v) for k, v in found.items()}


def count_people(session: Session) -> int:
    return int(session.exec(select(func.count()).select_from(Person)).one())


def forget_person(session: Session, *, person_id: int) -> bool:
    """Delete a person's row; subscriptions and profile go with it (ON DELETE CASCADE), cases
    stay on file detached from the identity. Returns False if there was no such person."""
    person = session.get(Person, person_id)
    if person is None:
        return False
    session.delete(person)
    session.flush()
    return True
