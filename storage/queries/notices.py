"""Categories, subscriptions and company profiles, notices and their release (the outbox rows
themselves are `outbox.py`'s)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, literal, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from kernel.clock import utcnow
from storage.models import (
    Category,
    Delivery,
    Notice,
    NoticeAttachment,
    NoticeCategory,
    Person,
    Subscription,
)
from storage.models.notices import (
    OPEN_STATUSES,
    Channel,
    DeliveryStatus,
    NoticeKind,
    NoticeState,
)
from storage.queries.outbox.enqueue import DELIVERY_TABLE, notify_written
from storage.queries.registry import notice_targets as notice_targets_q


def fetch_categories(session: Session, *, include_retired: bool = False) -> list[Category]:
    """Categories in display order; retired ones only when asked."""
    query = select(Category).order_by(col(Category.sort_order), col(Category.id))
    if not include_retired:
        query = query.where(col(Category.retired_at).is_(None))
    return list(session.exec(query).all())


def fetch_category_by_code(session: Session, *, code: str) -> Category | None:
    return session.exec(select(Category).where(Category.code == code.strip().lower())).first()


def add_category(session: Session, *, code: str, name_zh: str, name_en: str) -> Category:
    """A new category at the end of the list."""
    last = session.exec(select(func.max(Category.sort_order))).one()
    category = Category(code=code, name_zh=name_zh, name_en=name_en, sort_order=(last or 0) + 1)
    session.add(category)
    session.flush()
    return category


def rename_category(
    session: Session, *, category_id: int, name_zh: str | None, name_en: str | None
) -> None:
    values = {k: v for k, v in (("name_zh", name_zh), ("name_en", name_en)) if v is not None}
    if values:
        session.execute(update(Category).where(col(Category.id) == category_id).values(**values))


def retire_category(session: Session, *, category_id: int, now: datetime) -> None:
    """Stop new subscriptions; existing history and subscriptions stay."""
    session.execute(
        update(Category)
        .where(col(Category.id) == category_id, col(Category.retired_at).is_(None))
        .values(retired_at=now)
    )


def count_subscribers_by_category(session: Session) -> dict[int, int]:
    """Category id → number of subscribers who have not blocked the bot."""
    rows = session.exec(
        select(Subscription.category_id, func.count())
        .join(Person, col(Person.id) == Subscription.person_id)
        .where(col(Person.blocked).is_(False))
        .group_by(col(Subscription.category_id))
    ).all()
    return {category_id: count for category_id, count in rows}


def fetch_subscribed_category_ids(session: Session, *, person_id: int) -> set[int]:
    rows = session.exec(
        select(Subscription.category_id).where(Subscription.person_id == person_id)
    ).all()
    return set(rows)


def add_subscriptions(
    session: Session, *, person_id: int, category_ids: Iterable[int]
) -> list[int]:
    """Subscribe to each category not yet subscribed; returns the ids newly added."""
    have = fetch_subscribed_category_ids(session=session, person_id=person_id)
    added = [c for c in dict.fromkeys(category_ids) if c not in have]
    for category_id in added:
        session.add(Subscription(person_id=person_id, category_id=category_id))
    session.flush()
    return added


def remove_subscription(session: Session, *, person_id: int, category_id: int) -> bool:
    result = session.execute(
        delete(Subscription).where(
            col(Subscription.person_id) == person_id, col(Subscription.category_id) == category_id
        )
    )
    return bool(getattr(result, "rowcount", 0))


def remove_all_subscriptions(session: Session, *, person_id: int) -> int:
    result = session.execute(delete(Subscription).where(col(Subscription.person_id) == person_id))
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class Profile:
    company_name: str | None
    tax_id: str | None


def fetch_profile(session: Session, *, person_id: int) -> Profile:
    person = session.get(Person, person_id)
    if person is None:
        return Profile(None, None)
    return Profile(person.company_name, person.tax_id)


def save_profile(
    session: Session, *, person_id: int, company_name: str | None, tax_id: str | None
) -> None:
    session.execute(
        update(Person)
        .where(col(Person.id) == person_id)
        .values(company_name=company_name, tax_id=tax_id)
    )


def keep_language(session: Session, *, person_id: int, language: str) -> None:
    """Store `language` as the person's language unless they already chose one (their notices
    are rendered in it)."""
    session.execute(
        update(Person)
        .where(col(Person.id) == person_id, col(Person.language).is_(None))
        .values(language=language)
    )


def close_open_deliveries_of_person(session: Session, *, person_id: int, now: datetime) -> int:
    """Before a person is forgotten: nothing more is sent to them."""
    result = session.execute(
        update(Delivery)
        .where(col(Delivery.person_id) == person_id, col(Delivery.status).in_(OPEN_STATUSES))
        .values(status=DeliveryStatus.FAILED.value, last_error="forgotten at their request")
    )
    return int(getattr(result, "rowcount", 0) or 0)


def create_notice(
    session: Session,
    *,
    title: str,
    body: str,
    category_ids: Sequence[int],
    created_by_id: int | None,
    scheduled_at: datetime | None,
    attachment_name: str | None = None,
    attachment_file_id: str | None = None,
    attachment_content: bytes | None = None,
    now: datetime | None = None,
    public: bool = False,
) -> Notice:
    """A notice waiting for release (now, or at `scheduled_at`); `public` puts it in the
    archive once released."""
    now = now or utcnow()
    notice = Notice(
        title=title,
        body=body,
        state=NoticeState.SCHEDULED.value,
        scheduled_at=scheduled_at or now,
        created_by_id=created_by_id,
        attachment_name=attachment_name,
        attachment_file_id=attachment_file_id,
        created_at=now,
        public=public,
    )
    session.add(notice)
    session.flush()
    assert notice.id is not None
    for category_id in dict.fromkeys(category_ids):
        session.add(NoticeCategory(notice_id=notice.id, category_id=category_id))
    if attachment_content is not None:
        session.add(NoticeAttachment(notice_id=notice.id, content=attachment_content))
    session.flush()
    notify_written(session)  # the worker learns when it falls due
    return notice


def _recipients(category_ids: Sequence[int]) -> object:
    return (
        select(Person.id, Person.telegram_id)
        .join(Subscription, col(Subscription.person_id) == Person.id)
        .where(col(Subscription.category_id).in_(category_ids), col(Person.blocked).is_(False))
        .distinct()
    )


def count_recipients(session: Session, *, category_ids: Sequence[int]) -> int:
    """How many people would receive a notice to these categories now."""
    if not category_ids:
        return 0
    subquery = _recipients(category_ids).subquery()  # type: ignore[attr-defined]
    return int(session.exec(select(func.count()).select_from(subquery)).one())


def count_recipients_by_language(
    session: Session, *, category_ids: Sequence[int], default_language: str
) -> dict[str, int]:
    """How many people would receive a notice to these categories now, by the language their
    copy is rendered in (their saved language, else `default_language`)."""
    if not category_ids:
        return {}
    subquery = (
        select(Person.id, Person.language)
        .join(Subscription, col(Subscription.person_id) == Person.id)
        .where(col(Subscription.category_id).in_(category_ids), col(Person.blocked).is_(False))
        .distinct()
        .subquery()
    )
    rows = session.execute(
        sa_select(subquery.c.language, func.count()).group_by(subquery.c.language)
    ).all()
    counts: dict[str, int] = {}
    for language, count in rows:
        key = language if language in ("zh-TW", "en") else default_language
        counts[key] = counts.get(key, 0) + int(count)
    return counts


def release_notice(session: Session, *, notice_id: int, now: datetime) -> int | None:
    """Write the notice's outbox rows in one INSERT … SELECT; None if it was not releasable."""
    claimed = session.execute(
        update(Notice)
        .where(col(Notice.id) == notice_id, col(Notice.state) == NoticeState.SCHEDULED.value)
        .values(state=NoticeState.RELEASED.value, released_at=now)
    )
    if not getattr(claimed, "rowcount", 0):
        return None
    source = sa_select(
        literal(notice_id).label("notice_id"),
        col(Person.id).label("person_id"),
        col(Person.telegram_id).label("chat_id"),
        literal(DeliveryStatus.PENDING.value).label("status"),
        literal(0).label("attempts"),
        bindparam("due", value=now, type_=DELIVERY_TABLE.c.next_attempt_at.type).label(
            "next_attempt_at"
        ),
    ).where(
        col(Person.blocked).is_(False),
        col(Person.id).in_(
            select(Subscription.person_id)
            .join(NoticeCategory, col(NoticeCategory.category_id) == Subscription.category_id)
            .where(NoticeCategory.notice_id == notice_id)
        ),
    )
    session.execute(
        insert(Delivery).from_select(
            ["notice_id", "person_id", "chat_id", "status", "attempts", "next_attempt_at"],
            source,
        )
    )
    notice_targets_q.add_targeted_deliveries(session=session, notice_id=notice_id, now=now)
    count = session.exec(
        select(func.count()).select_from(Delivery).where(Delivery.notice_id == notice_id)
    ).one()
    session.execute(update(Notice).where(col(Notice.id) == notice_id).values(recipients=count))
    notify_written(session)
    return int(count)


def cancel_notice(session: Session, *, notice_id: int) -> bool:
    """Cancel a notice that has not been released yet."""
    result = session.execute(
        update(Notice)
        .where(col(Notice.id) == notice_id, col(Notice.state) == NoticeState.SCHEDULED.value)
        .values(state=NoticeState.CANCELLED.value)
    )
    return bool(getattr(result, "rowcount", 0))


def fetch_due_notice_ids(session: Session, *, now: datetime) -> list[int]:
    rows = session.exec(
        select(Notice.id)
        .where(
            Notice.state == NoticeState.SCHEDULED.value,
            col(Notice.scheduled_at) <= now,
            Notice.kind == NoticeKind.NOTICE.value,
        )
        .order_by(col(Notice.scheduled_at), col(Notice.id))
    ).all()
    return [r for r in rows if r is not None]


def fetch_notice(session: Session, *, notice_id: int) -> Notice | None:
    """The outbox message `notice_id`, of any kind."""
    return session.get(Notice, notice_id)


def fetch_staff_notice(session: Session, *, notice_id: int) -> Notice | None:
    """The notice `notice_id` if staff wrote it (a reminder or invitation is not a notice)."""
    notice = session.get(Notice, notice_id)
    return notice if notice is not None and notice.kind == NoticeKind.NOTICE.value else None


def fetch_notice_categories(session: Session, *, notice_id: int) -> list[Category]:
    return list(
        session.exec(
            select(Category)
            .join(NoticeCategory, col(NoticeCategory.category_id) == Category.id)
            .where(NoticeCategory.notice_id == notice_id)
            .order_by(col(Category.sort_order), col(Category.id))
        ).all()
    )


def fetch_attachment_content(session: Session, *, notice_id: int) -> bytes | None:
    found = session.get(NoticeAttachment, notice_id)
    return None if found is None else found.content


def save_attachment_file_id(session: Session, *, notice_id: int, file_id: str) -> None:
    """Remember Telegram's file id; the uploaded bytes are no longer needed for sending, and
    are dropped unless the notice is public (the archive serves them for download)."""
    session.execute(
        update(Notice).where(col(Notice.id) == notice_id).values(attachment_file_id=file_id)
    )
    private = select(Notice.id).where(col(Notice.id) == notice_id, col(Notice.public).is_(False))
    session.execute(
        delete(NoticeAttachment).where(
            col(NoticeAttachment.notice_id) == notice_id,
            col(NoticeAttachment.notice_id).in_(private),
        )
    )


STATUSES = tuple(s.value for s in DeliveryStatus)


def fetch_delivery_counts(session: Session, *, notice_ids: Sequence[int]) -> dict[int, dict]:
    """Notice id → counts of its outbox rows by status (every status present, zeros included)."""
    counts: dict[int, dict] = {n: dict.fromkeys(STATUSES, 0) for n in notice_ids}
    if not notice_ids:
        return counts
    rows = session.exec(
        select(Delivery.notice_id, Delivery.status, func.count())
        .where(col(Delivery.notice_id).in_(notice_ids), Delivery.channel == Channel.TELEGRAM.value)
        .group_by(col(Delivery.notice_id), col(Delivery.status))
    ).all()
    for notice_id, status, count in rows:
        counts[notice_id][status] = count
    return counts


def fetch_recent_notices(session: Session, *, limit: int = 10) -> list[Notice]:
    """The latest notices staff wrote (not reminders or survey invitations), newest first."""
    return list(
        session.exec(
            select(Notice)
            .where(Notice.kind == NoticeKind.NOTICE.value)
            .order_by(col(Notice.id).desc())
            .limit(limit)
        ).all()
    )
