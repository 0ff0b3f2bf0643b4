"""One look at the outbox, in one transaction: the lease renewed (when asked), the scheduled
notices due released, the rows due fetched (urgent first), and when the next row or scheduled
notice falls due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.notices.publishing import release_due_notices
from storage.queries.outbox import due
from storage.queries.outbox.due import DueDelivery
from storage.queries.outbox.leases import acquire_lease


@dataclass(frozen=True)
class Look:
    released: list[tuple[int, int]]
    rows: list[DueDelivery]
    next_due: datetime | None
    lease_held: bool | None = None
    """Whether the lease was renewed (None: not asked)."""


def look_at_outbox(
    session: Session, *, now: datetime, limit: int, lease: tuple[str, str, timedelta] | None
) -> Look:
    """Renew the lease `(name, owner, length)` when given, release the notices due, fetch up to
    `limit` due rows and the time the next row or scheduled notice falls due."""
    held = None
    if lease is not None:
        name, owner, length = lease
        held = acquire_lease(session=session, name=name, owner=owner, now=now, lease=length)
        if not held:
            return Look([], [], None, held)
    released = release_due_notices(session=session, now=now)
    rows = due.fetch_due_deliveries(session=session, now=now, limit=limit) if limit else []
    return Look(released, rows, due.fetch_next_due_at(session=session, now=now), held)
