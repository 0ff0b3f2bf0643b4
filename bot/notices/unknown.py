"""Deliveries left `unknown`: sent, but Telegram's answer never came back, so the message may
have arrived and is never sent again by itself. A person checks with the recipient and then
resends the ones that did not arrive (`bsmi-desk outbox unknown`, `bsmi-desk outbox resend`);
`/notices` shows how many wait."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from kernel.errors import UserError
from storage.queries.audit import record_audit
from storage.queries.outbox.unknown import (
    UnknownDelivery,
    fetch_unknown_deliveries,
    requeue_unknown,
)


def unknown_deliveries(session: Session, *, notice_id: int | None = None) -> list[UnknownDelivery]:
    """The rows left unknown, of one outbox message or all, oldest first."""
    return fetch_unknown_deliveries(session=session, notice_id=notice_id)


def resend(session: Session, *, ids: Sequence[int], now: datetime, checked_by: str) -> int:
    """Send the unknown rows `ids` again, after `checked_by` made sure they did not arrive:
    requeued and audited in one transaction; a UserError (nothing changed) if any id is not an
    unknown row. Returns how many were requeued."""
    wanted = list(dict.fromkeys(ids))
    missing = requeue_unknown(
        session=session, ids=wanted, now=now, note=f"resent after a check by {checked_by}"
    )
    if missing:
        raise UserError("outbox.not_unknown", delivery_id=missing[0])
    record_audit(
        session=session,
        actor_telegram_id=None,
        action="outbox.resend",
        target=",".join(str(i) for i in wanted)[:128],
        detail=checked_by[:2000],
    )
    return len(wanted)
