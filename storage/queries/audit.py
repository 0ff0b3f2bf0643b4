"""The audit log: a use case writes its row with `record_audit` in the transaction of its
change; `fetch_audit` reads the latest."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from kernel.clock import utcnow
from storage.models import AuditEntry


def record_audit(
    session: Session,
    *,
    actor_telegram_id: int | None,
    action: str,
    target: str | None = None,
    allowed: bool = True,
    detail: str | None = None,
    at: datetime | None = None,
) -> None:
    """Append one entry to the audit log."""
    session.add(
        AuditEntry(
            at=at or utcnow(),
            actor_telegram_id=actor_telegram_id,
            action=action,
            target=target,
            allowed=allowed,
            detail=detail,
        )
    )


def fetch_audit(session: Session, *, limit: int = 100) -> list[AuditEntry]:
    """The latest audit entries, newest first."""
    return list(
        session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)).all()
    )
