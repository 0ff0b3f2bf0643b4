"""The lease that keeps one delivery worker per bot token (a row with a heartbeat), and the
pause a worker holding it records while an error keeps it from delivering."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from storage.models import DeliveryPause, WorkerLease


def acquire_lease(
    session: Session, *, name: str, owner: str, now: datetime, lease: timedelta
) -> bool:
    """Take or renew the lease `name` for `owner`; False while another owner's is still fresh."""
    taken = session.execute(
        update(WorkerLease)
        .where(
            col(WorkerLease.name) == name,
            or_(col(WorkerLease.owner) == owner, col(WorkerLease.heartbeat_at) < now - lease),
        )
        .values(
            acquired_at=case(
                (col(WorkerLease.owner) == owner, col(WorkerLease.acquired_at)), else_=now
            ),
            owner=owner,
            heartbeat_at=now,
        )
    )
    if getattr(taken, "rowcount", 0):
        return True
    if session.get(WorkerLease, name) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(WorkerLease(name=name, owner=owner, acquired_at=now, heartbeat_at=now))
    except IntegrityError:
        return False
    return True


def release_lease(session: Session, *, name: str, owner: str) -> None:
    session.execute(
        delete(WorkerLease).where(
            and_(col(WorkerLease.name) == name, col(WorkerLease.owner) == owner)
        )
    )


def record_pause(session: Session, *, name: str, owner: str, since: datetime, reason: str) -> None:
    """The worker `owner` holding lease `name` cannot deliver since `since`, because `reason`
    (nothing is written for a worker that does not hold the lease)."""
    lease = session.get(WorkerLease, name)
    if lease is None or lease.owner != owner:
        return
    pause = session.get(DeliveryPause, name)
    if pause is None:
        session.add(DeliveryPause(name=name, owner=owner, since=since, reason=reason[:255]))
        return
    pause.owner, pause.since, pause.reason = owner, since, reason[:255]
    session.add(pause)


def clear_pause(session: Session, *, name: str, owner: str) -> None:
    """`owner` delivers again (or stops cleanly): its pause is over."""
    session.execute(
        delete(DeliveryPause).where(
            col(DeliveryPause.name) == name, col(DeliveryPause.owner) == owner
        )
    )


def fetch_pauses(session: Session) -> list[DeliveryPause]:
    """Recorded pauses whose worker still holds its lease, oldest first."""
    return list(
        session.exec(
            select(DeliveryPause)
            .join(
                WorkerLease,
                and_(
                    col(WorkerLease.name) == DeliveryPause.name,
                    col(WorkerLease.owner) == DeliveryPause.owner,
                ),
            )
            .order_by(col(DeliveryPause.since))
        ).all()
    )


def fetch_silent_leases(session: Session, *, heard_before: datetime) -> list[WorkerLease]:
    """Delivery leases whose worker has not renewed them since `heard_before`, oldest first."""
    return list(
        session.exec(
            select(WorkerLease)
            .where(
                col(WorkerLease.name).startswith("delivery:"),
                col(WorkerLease.heartbeat_at) < heard_before,
            )
            .order_by(col(WorkerLease.heartbeat_at))
        ).all()
    )
