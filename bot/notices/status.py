"""Delivery progress of notices: counts of their outbox rows by channel (Telegram, e-mail) and
status, and whether delivery is paused by an error (since when, why), for /notices and
`bsmi-desk notice status`.

Delivery counts as paused when the worker holding the lease recorded a pause (an error keeps
it from reading or writing the outbox; it retries with backoff and clears the pause when it
delivers again), or when no worker has renewed its lease for SILENT_AFTER (the worker cannot
reach the database at all, or the process died). While the database itself is down nobody can
read the status; it shows as soon as the database answers again and the worker has not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.notices.targeting import notice_unreached
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.models.notices import DeliveryStatus, NoticeState
from storage.queries import mail as mail_q
from storage.queries import notices as q
from storage.queries.outbox.leases import fetch_pauses, fetch_silent_leases

SILENT_AFTER = timedelta(seconds=60)
"""A worker renews its lease every 10 s (a third of its 30 s lease): a minute without means it
is stuck or gone."""
SILENT_REASON = "the delivery worker has not renewed its lease"
STATUSES = tuple(s.value for s in DeliveryStatus)


@dataclass(frozen=True)
class Pause:
    """Delivery paused by an error since `since`; `silent`: the worker stopped renewing its
    lease (it could not even record why)."""

    since: datetime
    reason: str
    silent: bool = False

    def as_json(self) -> dict[str, str]:
        return {"since": self.since.isoformat(), "reason": self.reason}


def delivery_pause(session: Session, *, now: datetime) -> Pause | None:
    """Whether delivery is paused by an error at `now`: the earliest recorded pause, else the
    longest-silent worker, else None."""
    recorded = fetch_pauses(session=session)
    if recorded:
        return Pause(recorded[0].since, recorded[0].reason)
    silent = fetch_silent_leases(session=session, heard_before=now - SILENT_AFTER)
    if silent:
        return Pause(silent[0].heartbeat_at, SILENT_REASON, silent=True)
    return None


@dataclass(frozen=True)
class NoticeStatus:
    notice_id: int
    title: str
    state: str
    scheduled_at: datetime | None
    released_at: datetime | None
    counts: dict[str, int]
    """The Telegram rows by status."""
    paused: Pause | None = None
    unreached: tuple[str, ...] = ()
    """Listed 統一編號 of a targeted notice that it did not reach (see `bot/notices/targeting`)."""
    email: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    """The e-mail rows by status."""

    @property
    def total(self) -> int:
        """Telegram recipients."""
        return sum(self.counts.values())

    @property
    def email_total(self) -> int:
        return sum(self.email.values())

    @property
    def done(self) -> int:
        """Rows of both channels whose delivery is over."""
        open_ = sum(c["pending"] + c["retrying"] for c in (self.counts, self.email))
        return self.total + self.email_total - open_

    @property
    def percent(self) -> int:
        """How much of the delivery (both channels) is over (100 for a notice nobody
        receives)."""
        everyone = self.total + self.email_total
        return 100 if everyone == 0 else round(100 * self.done / everyone)

    def as_json(self) -> dict[str, object]:
        """The Telegram counts at the top level (as before e-mail), and each channel's."""
        return {
            "notice_id": self.notice_id,
            "total": self.total,
            **self.counts,
            "unreached": len(self.unreached),
            "telegram": {"total": self.total, **self.counts},
            "email": {"total": self.email_total, **self.email},
        }


def notice_status(session: Session, *, notice_id: int) -> NoticeStatus:
    """One notice's progress; UserError if there is no such notice."""
    notice = q.fetch_staff_notice(session=session, notice_id=notice_id)
    if notice is None:
        raise UserError("notices.unknown_notice", notice_id=notice_id)
    counts = q.fetch_delivery_counts(session=session, notice_ids=[notice_id])[notice_id]
    email = mail_q.fetch_email_counts(session=session, notice_ids=[notice_id])[notice_id]
    return NoticeStatus(
        notice_id,
        notice.title,
        notice.state,
        notice.scheduled_at,
        notice.released_at,
        counts,
        paused=delivery_pause(session=session, now=utcnow()),
        unreached=tuple(
            notice_unreached(
                session=session,
                notice_id=notice_id,
                released=notice.state == NoticeState.RELEASED.value,
            )
        ),
        email=email,
    )


@dataclass(frozen=True)
class Overview:
    """What /notices shows: whether delivery is paused, and the latest notices' progress."""

    paused: Pause | None
    notices: list[NoticeStatus]


def delivery_overview(session: Session, *, limit: int = 10) -> Overview:
    """Whether delivery is paused now, and the latest notices' progress, newest first."""
    return Overview(
        delivery_pause(session=session, now=utcnow()),
        recent_statuses(session=session, limit=limit),
    )


def recent_statuses(session: Session, *, limit: int = 10) -> list[NoticeStatus]:
    """The latest notices' progress, newest first."""
    notices = q.fetch_recent_notices(session=session, limit=limit)
    ids = [n.id for n in notices if n.id is not None]
    counts = q.fetch_delivery_counts(session=session, notice_ids=ids)
    email = mail_q.fetch_email_counts(session=session, notice_ids=ids)
    return [
        NoticeStatus(
            n.id, n.title, n.state, n.scheduled_at, n.released_at, counts[n.id], email=email[n.id]
        )
        for n in notices
        if n.id is not None
    ]
