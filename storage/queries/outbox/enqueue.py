"""Outbox rows written for the recipients a feature chose, in the feature's own transaction, and
the wake of the delivery worker when that transaction commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Table, text, update
from sqlmodel import Session, col

from storage.db import OUTBOX_WRITTEN as WRITTEN
from storage.models import Delivery, Notice
from storage.models.notices import BULK, DeliveryStatus, NoticeState

DELIVERY_TABLE: Table = Delivery.__table__  # type: ignore[attr-defined]

NOTIFY_CHANNEL = "bsmi_outbox"
"""PostgreSQL: the channel an outbox write notifies in its transaction (so on commit), heard
by a worker in another process."""


def notify_written(session: Session) -> None:
    """Wake the worker when this transaction commits: in this process by the flag, in any
    other by NOTIFY (PostgreSQL delivers it on commit, and once per transaction)."""
    if not session.info.get(WRITTEN):
        session.info[WRITTEN] = True
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))


def enqueue(
    session: Session,
    *,
    notice_id: int,
    recipients: Iterable[tuple[int | None, int]],
    now: datetime,
    priority: int = BULK,
    once_keys: dict[int, str] | None = None,
) -> int:
    """Put a notice row a feature created into the outbox for the recipients it chose.

    `recipients` are (person id or None, chat id) pairs; each chat gets one row however often it
    is named. The notice is marked released with its recipient count, in the caller's
    transaction, so the feature's own state change and the outbox rows are kept together.
    `priority` puts case news and reminders (`URGENT`) before a broadcast's copies;
    `once_keys` (chat id → key) makes a reminder's row unique. Returns how many rows were
    written.
    """
    rows: dict[int, int | None] = {}
    for person_id, chat_id in recipients:
        rows.setdefault(chat_id, person_id)
    if rows:
        session.execute(
            DELIVERY_TABLE.insert(),
            [
                {
                    "notice_id": notice_id,
                    "person_id": person_id,
                    "chat_id": chat_id,
                    "status": DeliveryStatus.PENDING.value,
                    "attempts": 0,
                    "parts_sent": 0,
                    "next_attempt_at": now,
                    "priority": priority,
                    "once_key": (once_keys or {}).get(chat_id),
                }
                for chat_id, person_id in rows.items()
            ],
        )
        notify_written(session)
    session.execute(
        update(Notice)
        .where(col(Notice.id) == notice_id)
        .values(state=NoticeState.RELEASED.value, released_at=now, recipients=len(rows))
    )
    return len(rows)
