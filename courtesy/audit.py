"""The audit row of a courtesy report, in the shape courtesy/reports.py calls it.

Every other courtesy use case calls `storage.queries.audit.record_audit` itself; this module
goes when the reports half of issue 20 (which splits courtesy/reports.py) calls it too."""

from __future__ import annotations

from sqlmodel import Session

from storage.queries.audit import record_audit


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
