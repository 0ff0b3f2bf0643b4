"""Who holds which role, a page at a time, and revoking one."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from storage.queries import people as q
from storage.queries.audit import record_audit
from storage.queries.people import PersonView, RoleHolder

PER_PAGE = 20
"""Holders on one page of /roles: 20 lines of the longest names stay far below Telegram's
4,096 characters, and 20 revoke buttons keep the keyboard usable on a phone."""


def holders(session: Session) -> list[RoleHolder]:
    """Every active grant with its person and unit, ordered by role then name."""
    return q.fetch_role_holders(session=session)


@dataclass(frozen=True)
class HoldersPage:
    """One page of the role holders: `number` counts from 1, of `pages` (at least 1)."""

    holders: list[RoleHolder]
    number: int
    pages: int
    total: int


def page_of(everyone: list[RoleHolder], number: int, per_page: int = PER_PAGE) -> HoldersPage:
    """Page `number` of `everyone`; a number past the end (the last holders were revoked
    meanwhile) gives the last page, one before the start the first."""
    pages = max(1, -(-len(everyone) // per_page))
    number = min(max(number, 1), pages)
    start = (number - 1) * per_page
    return HoldersPage(
        holders=everyone[start : start + per_page],
        number=number,
        pages=pages,
        total=len(everyone),
    )


def holders_page(session: Session, *, number: int) -> HoldersPage:
    """Page `number` of every active grant (see `page_of`)."""
    return page_of(q.fetch_role_holders(session=session), number)


@dataclass(frozen=True)
class Revoked:
    """Who lost which role, their roles now (for their command menu), and every active grant
    after the change (for the refreshed list)."""

    holder: RoleHolder
    person: PersonView | None
    holders: list[RoleHolder]


def revoke(
    session: Session, *, grant_id: int, by: PersonView, admin_ids: frozenset[int] = frozenset()
) -> Revoked | None:
    """Revoke one active grant with a `role.revoke` audit row; None if it is no longer active
    (revoked meanwhile, or never was), and then nothing is written."""
    holder = q.revoke_grant(session=session, grant_id=grant_id, revoked_by_id=by.id)
    if holder is None:
        return None
    record_audit(
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
