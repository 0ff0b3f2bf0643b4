"""What the public site's `/readyz` asks the database: the delivery worker's heartbeat and how
long the oldest due outbox row has waited."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, func, select

from storage.models import Delivery, WorkerLease
from storage.models.notices import OPEN_STATUSES


def fetch_lease_heartbeat(session: Session, *, name: str) -> datetime | None:
    """When the worker holding the lease `name` last renewed it (None: nobody holds it)."""
    return session.exec(
        select(WorkerLease.heartbeat_at).where(col(WorkerLease.name) == name)
    ).first()


def fetch_oldest_due_delivery(session: Session, *, now: datetime) -> datetime | None:
    """The time the longest-waiting open outbox row fell due (pending or retrying, its next
    attempt already due); None when none waits."""
    return session.exec(
        select(func.min(Delivery.next_attempt_at)).where(
            col(Delivery.status).in_(OPEN_STATUSES), col(Delivery.next_attempt_at) <= now
        )
    ).one()
