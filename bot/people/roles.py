"""Who holds which role, and revoking one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from storage.queries import people as q
from storage.queries.people import PersonView, RoleHolder


def holders(*, session: Session) -> list[RoleHolder]:
    """Every active grant with its person and unit, ordered by role then name."""
    return q.fetch_role_holders(session=session)


@dataclass(frozen=True)
class Revoked:
    """Who lost which role, their roles now (for their command menu), and every active grant
    after the change (for the refreshed list)."""

    holder: RoleHolder
    person: PersonView | None
    holders: list[RoleHolder]


def revoke(
    *, session: Session, grant_id: int, by: PersonView, admin_ids: frozenset[int] = frozenset()
) -> Revoked | None:
    """Revoke one active grant with a `role.revoke` audit row; None if it is no longer active
    (revoked meanwhile, or never was), and then nothing is written."""
    holder = q.revoke_grant(session=session, grant_id=grant_id, revoked_by_id=by.id)
    if holder is None:
        return None
    q.record_audit(
        session=session,
        actor_telegram_id=by.telegram_id,
        action="role.revoke",
        target=str(holder.telegram_id),
        detail=holder.role.value,
    )
    return Revoked(
        holder=holder,
        person=q.fetch_person_view(
            session=session, telegram_id=holder.telegram_id, admin_ids=admin_ids
        ),
        holders=q.fetch_role_holders(session=session),
    )
