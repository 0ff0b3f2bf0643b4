"""The audit row a courtesy use case writes in its own transaction, next to its change."""

from __future__ import annotations

from sqlmodel import Session

from storage.queries.people import record_audit


def audit(
    session: Session,
    by: int | None,
    action: str,
    /,
    *,
    target: str | None = None,
    detail: str | None = None,
) -> None:
    """Record that Telegram user `by` did `action` (same names as the chat has always used)."""
    record_audit(
        session=session, actor_telegram_id=by, action=action, target=target, detail=detail
    )
