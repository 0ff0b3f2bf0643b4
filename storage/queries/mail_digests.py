"""E-mail digests: a row per frequency and day with the window of releases it covers, its
e-mail rows in the outbox (one per subscriber with something to read), and what each lists."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from storage.models import Notice, NoticeCategory
from storage.models.mail import EmailDigest, EmailSubscriber, EmailSubscriberCategory
from storage.models.notices import NoticeKind, NoticeState
from storage.queries import mail as q
from storage.queries.bulk import bulk_insert
from storage.queries.outbox.enqueue import DELIVERY_TABLE, notify_written


def _released_between(since: datetime, cut_off: datetime) -> SelectOfScalar[int | None]:
    """The staff notices released after `since` up to and including `cut_off`."""
    return select(col(Notice.id)).where(
        col(Notice.kind) == NoticeKind.NOTICE.value,
        col(Notice.state) == NoticeState.RELEASED.value,
        col(Notice.released_at) > since,
        col(Notice.released_at) <= cut_off,
    )


def fetch_digest(session: Session, *, digest_id: int) -> EmailDigest | None:
    return session.get(EmailDigest, digest_id)


def fetch_last_digest(session: Session, *, frequency: str) -> EmailDigest | None:
    """The digest of `frequency` with the latest cut-off."""
    return session.exec(
        select(EmailDigest)
        .where(EmailDigest.frequency == frequency)
        .order_by(col(EmailDigest.cut_off).desc(), col(EmailDigest.id).desc())
    ).first()


def has_subscribers(session: Session, *, frequency: str) -> bool:
    """Whether any confirmed address gets digests of `frequency`."""
    return (
        session.exec(
            select(EmailSubscriber.id).where(EmailSubscriber.frequency == frequency).limit(1)
        ).first()
        is not None
    )


def insert_digest(
    session: Session,
    *,
    frequency: str,
    day: date,
    since: datetime,
    cut_off: datetime,
    now: datetime,
) -> EmailDigest | None:
    """The digest of `frequency` for `day`; None when one was written already (a second
    writer racing this one fails on the unique constraint and is rolled back)."""
    found = session.exec(
        select(EmailDigest.id).where(EmailDigest.frequency == frequency, EmailDigest.day == day)
    ).first()
    if found is not None:
        return None
    digest = EmailDigest(
        frequency=frequency, day=day, since=since, cut_off=cut_off, created_at=now
    )
    session.add(digest)
    session.flush()
    return digest


def enqueue_digest_emails(session: Session, *, digest: EmailDigest, now: datetime) -> int:
    """One e-mail row for each subscriber of the digest's frequency who follows a category of
    a notice released in its window (`once_key` digest:<frequency>:<day>:<subscriber>), in the
    digest's transaction; how many. No notice row and no e-mail when nobody has anything."""
    assert digest.id is not None
    subscribers = session.execute(
        sa_select(col(EmailSubscriber.id), col(EmailSubscriber.address))
        .where(
            col(EmailSubscriber.frequency) == digest.frequency,
            col(EmailSubscriber.id).in_(
                select(EmailSubscriberCategory.subscriber_id)
                .join(
                    NoticeCategory,
                    col(NoticeCategory.category_id) == EmailSubscriberCategory.category_id,
                )
                .where(
                    col(NoticeCategory.notice_id).in_(
                        _released_between(digest.since, digest.cut_off)
                    )
                )
            ),
        )
        .order_by(col(EmailSubscriber.id))
    ).all()
    digest.recipients = len(subscribers)
    session.add(digest)
    if not subscribers:
        return 0
    notice = Notice(
        kind=NoticeKind.EMAIL_DIGEST.value,
        ref_id=digest.id,
        title="",
        body="",
        state=NoticeState.RELEASED.value,
        released_at=now,
        recipients=len(subscribers),
        created_at=now,
    )
    session.add(notice)
    session.flush()
    assert notice.id is not None
    day = digest.day.isoformat()
    rows = [
        q.email_row(
            notice.id,
            subscriber_id,
            q.keyed_hash(session=session, text=address),
            now,
            once_key=f"digest:{digest.frequency}:{day}:{subscriber_id}",
        )
        for subscriber_id, address in subscribers
    ]
    bulk_insert(session=session, table=DELIVERY_TABLE, rows=rows)
    notify_written(session)
    return len(rows)


def fetch_digest_notices(
    session: Session, *, digest: EmailDigest, subscriber_id: int
) -> list[Notice]:
    """The notices of the digest's window to a category the subscriber follows, oldest
    release first."""
    followed = select(EmailSubscriberCategory.category_id).where(
        EmailSubscriberCategory.subscriber_id == subscriber_id
    )
    return list(
        session.exec(
            select(Notice)
            .where(
                col(Notice.id).in_(_released_between(digest.since, digest.cut_off)),
                col(Notice.id).in_(
                    select(NoticeCategory.notice_id).where(
                        col(NoticeCategory.category_id).in_(followed)
                    )
                ),
            )
            .order_by(col(Notice.released_at), col(Notice.id))
        ).all()
    )
