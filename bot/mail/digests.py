"""Daily and weekly digests: daily at 08:30 (the branch's time) on working days, weekly on the
first working day of the week, by the kernel's work calendar. Each is written once (a row per
frequency and day) with one outbox row per subscriber who has something to read, in one
transaction; its window runs from the previous digest's cut-off to its own, so a missed day is
covered by the next and no notice twice. The mail sender composes each e-mail when it sends it
(`compose`)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from email.message import EmailMessage
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.mail.messages import DigestItem, Sender, digest_message
from kernel.workcalendar import is_working_day
from storage.models.mail import EmailFrequency, EmailSubscriber
from storage.queries import archive as archive_q
from storage.queries import mail_digests as q

SEND_AT = time(8, 30)
FIRST_WINDOW = {
    EmailFrequency.DAILY.value: timedelta(days=1),
    EmailFrequency.WEEKLY.value: timedelta(days=7),
}
"""How far back the very first digest of a frequency looks (there is no previous cut-off)."""
LONGEST_WINDOW = timedelta(days=30)
"""How far back a digest looks at the most: the first after a time with nobody receiving
digests of its frequency (none was written meanwhile) covers no older notices."""


def first_working_day_of_week(day: date) -> date | None:
    """The first working day of `day`'s week (Monday to Sunday), None when it has none."""
    monday = day - timedelta(days=day.weekday())
    for offset in range(7):
        if is_working_day(monday + timedelta(days=offset)):
            return monday + timedelta(days=offset)
    return None


def due(local_now: datetime) -> list[tuple[str, date, datetime]]:
    """The digests due at `local_now` (the branch's time): (frequency, day, cut-off). Daily
    on a working day from 08:30; weekly from 08:30 of the week's first working day."""
    today = local_now.date()
    cut_off = datetime.combine(today, SEND_AT, tzinfo=local_now.tzinfo)
    if local_now < cut_off or not is_working_day(today):
        return []
    found = [(EmailFrequency.DAILY.value, today, cut_off)]
    if first_working_day_of_week(today) == today:
        found.append((EmailFrequency.WEEKLY.value, today, cut_off))
    return found


def _owed_weekly(session: Session, local_now: datetime) -> tuple[str, date, datetime] | None:
    """This week's weekly digest on a later working day, when its day passed without it (the
    bot was down): written late rather than a week late, under the first working day's key."""
    today = local_now.date()
    first = first_working_day_of_week(today)
    previous = q.fetch_last_digest(session=session, frequency=EmailFrequency.WEEKLY.value)
    if first is None or first == today or previous is None or previous.day >= first:
        return None
    cut_off = datetime.combine(today, SEND_AT, tzinfo=local_now.tzinfo)
    return (EmailFrequency.WEEKLY.value, first, cut_off)


def write_due_digests(session: Session, *, now: datetime, tz: ZoneInfo) -> dict[str, int]:
    """Write every digest due at `now` not written yet for a frequency someone receives:
    frequency -> e-mails written."""
    local_now = now.astimezone(tz)
    wanted = due(local_now)
    if wanted and (owed := _owed_weekly(session, local_now)) is not None:
        wanted.append(owed)
    written: dict[str, int] = {}
    for frequency, day, cut_off in wanted:
        if not q.has_subscribers(session=session, frequency=frequency):
            continue  # nobody to write to: no row either
        previous = q.fetch_last_digest(session=session, frequency=frequency)
        if previous is not None and previous.day >= day:
            continue
        since = previous.cut_off if previous is not None else cut_off - FIRST_WINDOW[frequency]
        since = max(since, cut_off - LONGEST_WINDOW)
        digest = q.insert_digest(
            session=session, frequency=frequency, day=day, since=since, cut_off=cut_off, now=now
        )
        if digest is not None:
            written[frequency] = q.enqueue_digest_emails(session=session, digest=digest, now=now)
    return written


def compose(
    session: Session,
    *,
    digest_id: int | None,
    subscriber: EmailSubscriber,
    sender: Sender,
    token: str,
    public: dict[int, bool],
) -> EmailMessage | None:
    """The digest `digest_id` for `subscriber`: the notices of its window in the categories the
    subscriber follows now; None when there are none (the choice changed since it was
    written). `public` caches which notices are in the archive."""
    digest = None if digest_id is None else q.fetch_digest(session=session, digest_id=digest_id)
    if digest is None or subscriber.id is None:
        return None
    items = []
    for notice in q.fetch_digest_notices(
        session=session, digest=digest, subscriber_id=subscriber.id
    ):
        assert notice.id is not None and notice.released_at is not None
        if notice.id not in public:
            found = archive_q.fetch_public_notice(session=session, notice_id=notice.id)
            public[notice.id] = found is not None
        items.append(DigestItem(notice.id, notice.title, notice.released_at, public[notice.id]))
    if not items:
        return None
    return digest_message(
        items,
        frequency=digest.frequency,
        day=digest.day,
        sender=sender,
        to=subscriber.address,
        language=subscriber.language,
        token=token,
    )
