"""Invites: a single-use link, valid for 72 hours, that grants a role (within a unit, if named);
redeeming one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from kernel.errors import UserError
from storage.models import Role, Unit
from storage.queries import people as q
from storage.queries.audit import record_audit
from storage.queries.people import PersonView

INVITABLE = (Role.SECRETARIAT, Role.INSPECTOR, Role.MONITOR, Role.ADMIN)


def _role_names() -> str:
    return ", ".join(r.value for r in INVITABLE)


def _unit_codes(session: Session) -> str:
    return ", ".join(u.code for u in q.fetch_units(session=session))


@dataclass(frozen=True)
class InviteChoices:
    """What an invite may name, each as one comma-separated line: roles and active unit codes."""

    roles: str
    units: str


def invite_choices(session: Session) -> InviteChoices:
    """The roles and unit codes an invite may name (for the usage line)."""
    return InviteChoices(roles=_role_names(), units=_unit_codes(session=session))


def invitable_role(text: str) -> Role:
    """The role `text` names, in any case; UserError `invite.bad_role` for anything else."""
    try:
        role = Role(text.lower())
    except ValueError:
        role = None
    if role is None or role not in INVITABLE:
        raise UserError("invite.bad_role", role=text, roles=_role_names())
    return role


class UnknownUnit(UserError):
    """No unit has this code (or Chinese name); the message lists the unit codes there are."""

    def __init__(self, unit: str, units: str) -> None:
        super().__init__("invite.bad_unit", unit=unit, units=units)
        self.unit = unit


@dataclass(frozen=True)
class Invitation:
    """A new invite: its code, role, unit name (in the caller's language) and expiry."""

    code: str
    role: Role
    unit_name: str | None
    expires_at: datetime


def create(
    session: Session,
    *,
    role: Role,
    unit_code: str | None,
    by: PersonView | None,
    language: str,
) -> Invitation:
    """A single-use invite for `role` within the unit `unit_code` names (if any).

    `by` is the admin in the chat, recorded as its creator with an `invite.create` audit row;
    None is the command line, whose `cli_command` writes the audit row of the whole command.
    """
    unit: Unit | None = None
    if unit_code is not None:
        unit = q.fetch_unit_by_code(session=session, code=unit_code)
        if unit is None:
            raise UnknownUnit(unit_code, _unit_codes(session=session))
    invite = q.create_invite(
        session=session,
        role=role,
        unit_id=None if unit is None else unit.id,
        created_by_id=None if by is None else by.id,
    )
    if by is not None:
        record_audit(
            session=session,
            actor_telegram_id=by.telegram_id,
            action="invite.create",
            target=role.value,
            detail=invite.code[:8],
        )
    return Invitation(
        code=invite.code,
        role=role,
        unit_name=None if unit is None else unit.name_in(language),
        expires_at=invite.expires_at,
    )


@dataclass(frozen=True)
class Joined:
    """What redeeming did. `outcome` is granted, already, used, expired or unknown; `unit_name`
    is set when a role within a unit was granted, `person` (with the new role) when granted."""

    outcome: str
    role: Role | None
    unit_name: str | None = None
    person: PersonView | None = None


def redeem(
    session: Session,
    *,
    code: str,
    person: PersonView,
    language: str,
    admin_ids: frozenset[int] = frozenset(),
) -> Joined:
    """Redeem the invite `code` for `person` and keep the attempt in the audit log, allowed when
    they hold the role afterwards."""
    result = q.redeem_invite(session=session, code=code, person_id=person.id)
    record_audit(
        session=session,
        actor_telegram_id=person.telegram_id,
        action="invite.redeem",
        target=code[:8],
        allowed=result.outcome in ("granted", "already"),
        detail=result.outcome,
    )
    if result.outcome != "granted":
        return Joined(result.outcome, result.role)
    unit = None if result.unit_id is None else session.get(Unit, result.unit_id)
    return Joined(
        result.outcome,
        result.role,
        unit_name=None if unit is None else unit.name_in(language),
        person=q.fetch_person_view(
            session=session, telegram_id=person.telegram_id, admin_ids=admin_ids
        ),
    )
