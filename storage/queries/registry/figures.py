"""The figures of the monthly notices report: notices of a kind released in a period with
their outbox rows by status, and expiry reminders sent or unreachable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from storage.models import (
    Category,
    Certificate,
    Delivery,
    ExpiryReminder,
    Notice,
)
from storage.models.notices import Channel
from storage.models.registry import ReminderState


@dataclass(frozen=True)
class NoticeFigures:
    notices: int
    recipients: int
    counts: dict[str, int]


def fetch_notice_figures(
    session: Session, *, start: datetime, end: datetime, kind: str
) -> NoticeFigures:
    """Notices of `kind` released in [start, end): how many, their recipients, and their
    Telegram outbox rows by status (e-mail: `storage.queries.mail.fetch_email_figures`)."""
    released = (
        col(Notice.kind) == kind,
        col(Notice.released_at) >= start,
        col(Notice.released_at) < end,
    )
    notices, recipients = session.execute(
        sa_select(func.count(), func.coalesce(func.sum(col(Notice.recipients)), 0)).where(
            *released
        )
    ).one()
    rows = session.execute(
        sa_select(col(Delivery.status), func.count())
        .join(Notice, col(Notice.id) == Delivery.notice_id)
        .where(*released, col(Delivery.channel) == Channel.TELEGRAM.value)
        .group_by(col(Delivery.status))
    ).all()
    return NoticeFigures(int(notices), int(recipients), {r[0]: int(r[1]) for r in rows})


def fetch_reminders_sent_by_kind(
    session: Session, *, start: datetime, end: datetime
) -> list[tuple[str, int, int]]:
    """(category code, reminders sent, of them to chats) for reminders closed in [start, end)
    as sent, by the certificate's kind."""
    rows = session.execute(
        sa_select(col(Category.code), func.count(), func.sum(col(ExpiryReminder.recipients)))
        .select_from(ExpiryReminder)
        .join(Certificate, col(Certificate.id) == ExpiryReminder.certificate_id)
        .join(Category, col(Category.id) == Certificate.category_id)
        .where(
            col(ExpiryReminder.state) == ReminderState.SENT.value,
            col(ExpiryReminder.closed_at) >= start,
            col(ExpiryReminder.closed_at) < end,
        )
        .group_by(col(Category.code))
        .order_by(col(Category.code))
    ).all()
    return [(r[0], int(r[1]), int(r[2] or 0)) for r in rows]


def count_reminders_unreachable(session: Session, *, start: datetime, end: datetime) -> int:
    return int(
        session.execute(
            sa_select(func.count())
            .select_from(ExpiryReminder)
            .where(
                col(ExpiryReminder.state) == ReminderState.UNREACHABLE.value,
                col(ExpiryReminder.closed_at) >= start,
                col(ExpiryReminder.closed_at) < end,
            )
        ).scalar_one()
    )
