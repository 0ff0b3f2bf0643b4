"""Invites on a real database: creating one with its audit row, the command line's without,
refusals that write nothing, and redeeming with the audit row of every attempt."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.people import invites
from kernel.errors import UserError
from storage.db import Database
from storage.models import AuditEntry, Invite, Role, RoleGrant
from storage.queries.people import PersonView
from tests.factories import person

ADMIN = 7001
NEWCOMER = 7002
LATECOMER = 7003


def audit_rows(db: Database) -> list[tuple[int | None, str, str | None, bool, str | None]]:
    entries = db.call(lambda session: session.exec(select(AuditEntry)).all())
    return [(e.actor_telegram_id, e.action, e.target, e.allowed, e.detail) for e in entries]


def invite(db: Database, admin: PersonView, role: Role, unit: str | None = None) -> str:
    created = db.call(invites.create, role=role, unit_code=unit, by=admin, language="en")
    return created.code


def test_an_invite_is_created_with_its_audit_row_in_the_same_call(db: Database) -> None:
    admin = person(db, ADMIN, Role.ADMIN)
    created = db.call(
        invites.create, role=Role.INSPECTOR, unit_code="sec2", by=admin, language="en"
    )
    assert created.role is Role.INSPECTOR and created.unit_name == "Second Section"
    stored = db.call(lambda session: session.exec(select(Invite)).one())
    assert stored.code == created.code and stored.created_by_id == admin.id
    assert stored.expires_at == created.expires_at
    assert audit_rows(db) == [(ADMIN, "invite.create", "inspector", True, created.code[:8])]


def test_the_unit_is_named_in_the_callers_language(db: Database) -> None:
    admin = person(db, ADMIN, Role.ADMIN)
    created = db.call(
        invites.create, role=Role.MONITOR, unit_code="sec2", by=admin, language="zh-TW"
    )
    assert created.unit_name == "第二課"


def test_a_command_line_invite_leaves_the_audit_row_to_the_command(db: Database) -> None:
    created = db.call(invites.create, role=Role.MONITOR, unit_code=None, by=None, language="en")
    stored = db.call(lambda session: session.exec(select(Invite)).one())
    assert stored.code == created.code and stored.created_by_id is None
    assert created.unit_name is None
    assert audit_rows(db) == []


def test_an_unknown_unit_is_refused_with_the_unit_codes_and_writes_nothing(db: Database) -> None:
    admin = person(db, ADMIN, Role.ADMIN)
    with pytest.raises(invites.UnknownUnit) as refused:
        db.call(invites.create, role=Role.MONITOR, unit_code="nowhere", by=admin, language="en")
    assert refused.value.key == "invite.bad_unit" and refused.value.unit == "nowhere"
    assert "sec2" in refused.value.values["units"]
    assert db.call(lambda session: session.exec(select(Invite)).all()) == []
    assert audit_rows(db) == []


def test_a_role_is_read_in_any_case_and_anything_else_is_refused_with_the_roles() -> None:
    assert invites.invitable_role("Inspector") is Role.INSPECTOR
    with pytest.raises(UserError) as refused:
        invites.invitable_role("boss")
    assert refused.value.key == "invite.bad_role"
    assert refused.value.values == {
        "role": "boss",
        "roles": "secretariat, inspector, monitor, admin",
    }


def test_the_usage_lists_the_roles_and_active_unit_codes(db: Database) -> None:
    choices = db.call(invites.invite_choices)
    assert choices.roles == "secretariat, inspector, monitor, admin"
    assert "sec2" in choices.units.split(", ")


def test_redeeming_grants_the_role_once_and_audits_every_attempt(db: Database) -> None:
    admin = person(db, ADMIN, Role.ADMIN)
    code = invite(db, admin, Role.INSPECTOR, unit="sec2")
    newcomer = person(db, NEWCOMER)
    joined = db.call(invites.redeem, code=code, person=newcomer, language="en")
    assert (joined.outcome, joined.role, joined.unit_name) == (
        "granted",
        Role.INSPECTOR,
        "Second Section",
    )
    assert joined.person is not None and joined.person.roles == frozenset({Role.INSPECTOR})
    latecomer = person(db, LATECOMER)
    used = db.call(invites.redeem, code=code, person=latecomer, language="en")
    assert (used.outcome, used.unit_name, used.person) == ("used", None, None)
    unknown = db.call(invites.redeem, code="nosuchcode", person=latecomer, language="en")
    assert (unknown.outcome, unknown.role) == ("unknown", None)
    grants = db.call(
        lambda session: session.exec(
            select(RoleGrant).where(RoleGrant.person_id != admin.id)
        ).all()
    )
    assert [(g.person_id, g.role) for g in grants] == [(newcomer.id, "inspector")]
    redemptions = [row for row in audit_rows(db) if row[1] == "invite.redeem"]
    assert redemptions == [
        (NEWCOMER, "invite.redeem", code[:8], True, "granted"),
        (LATECOMER, "invite.redeem", code[:8], False, "used"),
        (LATECOMER, "invite.redeem", "nosuchco", False, "unknown"),
    ]


def test_a_second_invite_for_a_role_already_held_changes_nothing(db: Database) -> None:
    admin = person(db, ADMIN, Role.ADMIN)
    newcomer = person(db, NEWCOMER)
    first = invite(db, admin, Role.MONITOR)
    db.call(invites.redeem, code=first, person=newcomer, language="en")
    second = invite(db, admin, Role.MONITOR)
    again = db.call(invites.redeem, code=second, person=newcomer, language="en")
    assert (again.outcome, again.role, again.person) == ("already", Role.MONITOR, None)
    grants = db.call(
        lambda session: session.exec(
            select(RoleGrant).where(RoleGrant.person_id == newcomer.id)
        ).all()
    )
    assert len(grants) == 1
    assert [row[3:] for row in audit_rows(db) if row[1] == "invite.redeem"] == [
        (True, "granted"),
        (True, "already"),
    ]


def test_an_admin_by_configuration_keeps_admin_in_the_view_after_joining(db: Database) -> None:
    admin = person(db, ADMIN, Role.ADMIN)
    newcomer = person(db, NEWCOMER)
    joined = db.call(
        invites.redeem,
        code=invite(db, admin, Role.MONITOR),
        person=newcomer,
        language="en",
        admin_ids=frozenset({NEWCOMER}),
    )
    assert joined.person is not None
    assert joined.person.roles == frozenset({Role.MONITOR, Role.ADMIN})
