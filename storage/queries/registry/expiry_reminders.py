"""Certificate expiry reminders: planned in bulk with an import, replanned or cancelled when
a certificate changes, found when due, closed in one state, and the outbox notice each one
goes out as."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from storage.models import (
    Certificate,
    ExpiryReminder,
    Notice,
)
from storage.models.notices import NoticeKind
from storage.models.registry import ReminderState
from storage.queries.bulk import bulk_insert, chunks

REMINDER_TABLE: Table = ExpiryReminder.__table__  # type: ignore[attr-defined]


def insert_reminders(session: Session, *, rows: Sequence[dict[str, Any]]) -> None:
    """Planned reminders (dicts of the table's columns)."""
    bulk_insert(session=session, table=REMINDER_TABLE, rows=rows)


def fetch_reminder_keys(
    session: Session, *, certificate_ids: Sequence[int]
) -> dict[tuple[int, date, int], tuple[int, str]]:
    """(certificate id, expiry, days before) → (reminder id, state) of these certificates."""
    found: dict[tuple[int, date, int], tuple[int, str]] = {}
    for chunk in chunks(certificate_ids):
        rows = session.execute(
            sa_select(
                REMINDER_TABLE.c.certificate_id,
                REMINDER_TABLE.c.expires_on,
                REMINDER_TABLE.c.days_before,
                REMINDER_TABLE.c.id,
                REMINDER_TABLE.c.state,
            ).where(REMINDER_TABLE.c.certificate_id.in_(chunk))
        ).all()
        for cert_id, expires_on, days, row_id, state in rows:
            found[(cert_id, expires_on, days)] = (row_id, state)
    return found


def replan_reminders(session: Session, *, rows: Sequence[dict[str, Any]]) -> None:
    """Cancelled reminders planned again (an expiry moved back): dicts with `row_id`,
    `new_planned_on`, `new_due_at`."""
    if not rows:
        return
    table = REMINDER_TABLE
    session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(
            state=ReminderState.PLANNED.value,
            planned_on=bindparam("new_planned_on"),
            due_at=bindparam("new_due_at"),
            closed_at=None,
        ),
        list(rows),
    )


def cancel_planned_reminders(
    session: Session, *, certificate_ids: Sequence[int], now: datetime
) -> int:
    """Planned reminders of these certificates cancelled (a renewal or a withdrawal)."""
    count = 0
    for chunk in chunks(certificate_ids):
        result = session.execute(
            update(ExpiryReminder)
            .where(
                col(ExpiryReminder.certificate_id).in_(chunk),
                col(ExpiryReminder.state) == ReminderState.PLANNED.value,
            )
            .values(state=ReminderState.CANCELLED.value, closed_at=now)
        )
        count += int(getattr(result, "rowcount", 0) or 0)
    return count


@dataclass(frozen=True)
class DueReminder:
    id: int
    certificate_id: int
    days_before: int
    due_at: datetime
    expires_on: date
    tax_id: str


def fetch_due_reminders(session: Session, *, now: datetime, limit: int) -> list[DueReminder]:
    """Planned reminders due by `now`, by certificate, oldest first (the index on state and
    due time answers it)."""
    rows = session.execute(
        sa_select(
            col(ExpiryReminder.id),
            col(ExpiryReminder.certificate_id),
            col(ExpiryReminder.days_before),
            col(ExpiryReminder.due_at),
            col(ExpiryReminder.expires_on),
            col(Certificate.tax_id),
        )
        .join(Certificate, col(Certificate.id) == ExpiryReminder.certificate_id)
        .where(
            col(ExpiryReminder.state) == ReminderState.PLANNED.value,
            col(ExpiryReminder.due_at) <= now,
        )
        .order_by(col(ExpiryReminder.due_at), col(ExpiryReminder.id))
        .limit(limit)
    ).all()
    return [DueReminder(*r) for r in rows]


def close_reminders(
    session: Session,
    *,
    ids: Sequence[int],
    state: ReminderState,
    now: datetime,
) -> int:
    """Close planned reminders in `state`; only rows still planned change (returns how many)."""
    count = 0
    for chunk in chunks(ids):
        result = session.execute(
            update(ExpiryReminder)
            .where(
                col(ExpiryReminder.id).in_(chunk),
                col(ExpiryReminder.state) == ReminderState.PLANNED.value,
            )
            .values(state=state.value, closed_at=now)
        )
        count += int(getattr(result, "rowcount", 0) or 0)
    return count


def record_reminder_notice(
    session: Session, *, reminder_id: int, notice_id: int, recipients: int
) -> None:
    """The outbox notice a sent reminder went out as, and to how many chats."""
    session.execute(
        update(ExpiryReminder)
        .where(col(ExpiryReminder.id) == reminder_id)
        .values(notice_id=notice_id, recipients=recipients)
    )


def create_reminder_notice(
    session: Session, *, reminder_id: int, title: str, now: datetime
) -> int:
    """The outbox's notice row of one expiry reminder (composed from `ref_id` when sent)."""
    notice = Notice(
        title=title[:200],
        body="",
        kind=NoticeKind.REMINDER.value,
        ref_id=reminder_id,
        scheduled_at=now,
        created_at=now,
    )
    session.add(notice)
    session.flush()
    assert notice.id is not None
    return notice.id


@dataclass(frozen=True)
class ReminderView:
    id: int
    certificate_id: int
    expires_on: date
    days_before: int
    planned_on: date
    due_at: datetime
    state: str
    closed_at: datetime | None


def fetch_reminders_of(
    session: Session, *, certificate_ids: Sequence[int]
) -> dict[int, list[ReminderView]]:
    found: dict[int, list[ReminderView]] = {c: [] for c in certificate_ids}
    for chunk in chunks(certificate_ids):
        rows = session.execute(
            sa_select(
                col(ExpiryReminder.id),
                col(ExpiryReminder.certificate_id),
                col(ExpiryReminder.expires_on),
                col(ExpiryReminder.days_before),
                col(ExpiryReminder.planned_on),
                col(ExpiryReminder.due_at),
                col(ExpiryReminder.state),
                col(ExpiryReminder.closed_at),
            )
            .where(col(ExpiryReminder.certificate_id).in_(chunk))
            .order_by(col(ExpiryReminder.due_at), col(ExpiryReminder.id))
        ).all()
        for r in rows:
            found[r[1]].append(ReminderView(*r))
    return found


def fetch_reminder(session: Session, *, reminder_id: int) -> ExpiryReminder | None:
    return session.get(ExpiryReminder, reminder_id)
