"""Revoking a role on a real database: the change, its audit row and what the caller shows, in
one call; a grant no longer active changes nothing."""

from __future__ import annotations

from sqlmodel import select

from bot.people import roles
from storage.db import Database
from storage.models import AuditEntry, Role, RoleGrant
from tests.factories import person

ADMIN = 7101
MONITOR = 7102
INSPECTOR = 7103


def grant_of(db: Database, person_id: int, role: Role) -> RoleGrant:
    return db.call(
        lambda session: session.exec(
            select(RoleGrant).where(RoleGrant.person_id == person_id, RoleGrant.role == role)
        ).one()
    )


def audit_rows(db: Database) -> list[tuple[int | None, str, str | None, str | None]]:
    entries = db.call(lambda session: session.exec(select(AuditEntry)).all())
    return [(e.actor_telegram_id, e.action, e.target, e.detail) for e in entries]


def test_revoking_returns_who_lost_what_their_roles_now_and_the_list(db: Database) -> None:
    admin = person(db, ADMIN, Role.ADMIN)
    monitor = person(db, MONITOR, Role.MONITOR, name="Lin")
    person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    grant = grant_of(db, monitor.id, Role.MONITOR)
    assert grant.id is not None
    revoked = db.call(roles.revoke, grant_id=grant.id, by=admin)
    assert revoked is not None
    assert (revoked.holder.telegram_id, revoked.holder.role) == (MONITOR, Role.MONITOR)
    assert revoked.person is not None and revoked.person.roles == frozenset()
    assert [(h.telegram_id, h.role) for h in revoked.holders] == [
        (ADMIN, Role.ADMIN),
        (INSPECTOR, Role.INSPECTOR),
    ]
    assert revoked.holders == db.call(roles.holders)
    stored = grant_of(db, monitor.id, Role.MONITOR)
    assert stored.revoked_at is not None and stored.revoked_by_id == admin.id
    assert audit_rows(db) == [(ADMIN, "role.revoke", str(MONITOR), "monitor")]


def test_a_grant_no_longer_active_is_none_and_writes_nothing(db: Database) -> None:
    admin = person(db, ADMIN, Role.ADMIN)
    monitor = person(db, MONITOR, Role.MONITOR)
    grant = grant_of(db, monitor.id, Role.MONITOR)
    assert grant.id is not None
    assert db.call(roles.revoke, grant_id=grant.id, by=admin) is not None
    assert db.call(roles.revoke, grant_id=grant.id, by=admin) is None
    assert db.call(roles.revoke, grant_id=999_999, by=admin) is None
    assert len(audit_rows(db)) == 1


def test_a_configured_admin_keeps_admin_after_losing_a_granted_role(db: Database) -> None:
    admin = person(db, ADMIN, Role.ADMIN)
    monitor = person(db, MONITOR, Role.MONITOR)
    grant = grant_of(db, monitor.id, Role.MONITOR)
    assert grant.id is not None
    revoked = db.call(roles.revoke, grant_id=grant.id, by=admin, admin_ids=frozenset({MONITOR}))
    assert revoked is not None and revoked.person is not None
    assert revoked.person.roles == frozenset({Role.ADMIN})
