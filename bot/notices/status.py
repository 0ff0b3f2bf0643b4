"""Delivery progress of notices: counts of their outbox rows by status, for /notices and
`bsmi-desk notice status`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from kernel.errors import UserError
from storage.queries import notices as q


@dataclass(frozen=True)
class NoticeStatus:
    notice_id: int
    title: str
    state: str
    scheduled_at: datetime | None
    released_at: datetime | None
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.total - self.counts["pending"] - self.counts["retrying"]

    @property
    def percent(self) -> int:
        """How much of the delivery is over (100 for a notice nobody receives)."""
        return 100 if self.total == 0 else round(100 * self.done / self.total)

    def as_json(self) -> dict[str, int]:
        return {"notice_id": self.notice_id, "total": self.total, **self.counts}


def notice_status(*, session: Session, notice_id: int) -> NoticeStatus:
    """One notice's progress; UserError if there is no such notice."""
    notice = q.fetch_notice(session=session, notice_id=notice_id)
    if notice is None:
        raise UserError("notices.unknown_notice", notice_id=notice_id)
    counts = q.fetch_delivery_counts(session=session, notice_ids=[notice_id])[notice_id]
    return NoticeStatus(
        notice_id, notice.title, notice.state, notice.scheduled_at, notice.released_at, counts
    )


def recent_statuses(*, session: Session, limit: int = 10) -> list[NoticeStatus]:
    """The latest notices' progress, newest first."""
    notices = q.fetch_recent_notices(session=session, limit=limit)
    ids = [n.id for n in notices if n.id is not None]
    counts = q.fetch_delivery_counts(session=session, notice_ids=ids)
    return [
        NoticeStatus(n.id, n.title, n.state, n.scheduled_at, n.released_at, counts[n.id])
        for n in notices
        if n.id is not None
    ]
