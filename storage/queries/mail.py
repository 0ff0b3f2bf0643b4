"""Notices by e-mail: subscribers, their categories and link tokens, requests to confirm, and
the e-mail rows of the outbox (written at a notice's release or with a request, taken by the
mail sender); the digests are `storage.queries.mail_digests`."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import (
    Category,
    Delivery,
    EmailRequest,
    EmailSubscriber,
    EmailSubscriberCategory,
    EmailToken,
    InstallSecret,
    Notice,
    NoticeCategory,
)
from storage.models.mail import EmailFrequency
from storage.models.notices import (
    BULK,
    OPEN_STATUSES,
    Channel,
    DeliveryStatus,
    NoticeKind,
)
from storage.models.secrets import CHAT_HASH_KEY
from storage.queries.bulk import bulk_insert, chunks
from storage.queries.outbox.enqueue import DELIVERY_TABLE, notify_written
from storage.queries.registry.figures import NoticeFigures

SENDING = "sending"
"""`last_error` of a row the sender has taken: `unknown` until its outcome is written, so a
crash mid-send leaves it for a person, never sent twice."""


def keyed_hash(session: Session, *, text: str) -> str:
    """HMAC-SHA256 of `text` under the install's key (`storage.models.secrets`), hex: an
    address or a client kept only as something a guess can be checked against."""
    key = session.info.get(CHAT_HASH_KEY)
    if key is None:
        secret = session.get(InstallSecret, CHAT_HASH_KEY)
        if secret is None:
            raise RuntimeError("the install's key is missing: run `bsmi-desk db upgrade`")
        key = session.info[CHAT_HASH_KEY] = bytes.fromhex(secret.value)
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def fetch_subscriber(session: Session, *, address: str) -> EmailSubscriber | None:
    return session.exec(select(EmailSubscriber).where(EmailSubscriber.address == address)).first()


def fetch_subscriber_by_token(session: Session, *, token_hash: str) -> EmailSubscriber | None:
    return session.exec(
        select(EmailSubscriber)
        .join(EmailToken, col(EmailToken.subscriber_id) == EmailSubscriber.id)
        .where(EmailToken.token_hash == token_hash)
    ).first()


def fetch_subscriber_categories(session: Session, *, subscriber_id: int) -> list[Category]:
    return list(
        session.exec(
            select(Category)
            .join(
                EmailSubscriberCategory,
                col(EmailSubscriberCategory.category_id) == Category.id,
            )
            .where(EmailSubscriberCategory.subscriber_id == subscriber_id)
            .order_by(col(Category.sort_order), col(Category.id))
        ).all()
    )


def save_subscriber(
    session: Session,
    *,
    address: str,
    language: str,
    frequency: str,
    category_ids: Sequence[int],
    now: datetime,
) -> EmailSubscriber:
    """The address subscribed to exactly `category_ids` (created, or its choice replaced)."""
    subscriber = fetch_subscriber(session=session, address=address)
    if subscriber is None:
        subscriber = EmailSubscriber(
            address=address, language=language, frequency=frequency, confirmed_at=now
        )
    else:
        subscriber.language, subscriber.frequency = language, frequency
        subscriber.confirmed_at = now
    session.add(subscriber)
    session.flush()
    assert subscriber.id is not None
    set_subscriber_categories(session=session, subscriber_id=subscriber.id, ids=category_ids)
    return subscriber


def set_subscriber_categories(session: Session, *, subscriber_id: int, ids: Sequence[int]) -> None:
    session.execute(
        delete(EmailSubscriberCategory).where(
            col(EmailSubscriberCategory.subscriber_id) == subscriber_id
        )
    )
    for category_id in dict.fromkeys(ids):
        session.add(EmailSubscriberCategory(subscriber_id=subscriber_id, category_id=category_id))
    session.flush()


def delete_subscriber(session: Session, *, subscriber_id: int, reason: str) -> None:
    """The address and its tokens go; e-mails not yet sent to it are closed as failed
    (`reason`), those sent keep the address's hash."""
    session.execute(
        update(Delivery)
        .where(col(Delivery.email_id) == subscriber_id, col(Delivery.status).in_(OPEN_STATUSES))
        .values(status=DeliveryStatus.FAILED.value, last_error=reason[:255])
    )
    session.execute(delete(EmailSubscriber).where(col(EmailSubscriber.id) == subscriber_id))


def add_token(session: Session, *, subscriber_id: int, token_hash: str, now: datetime) -> None:
    session.add(EmailToken(token_hash=token_hash, subscriber_id=subscriber_id, created_at=now))


def add_tokens(session: Session, *, tokens: Sequence[tuple[int, str]], now: datetime) -> None:
    """Many link tokens at once: (subscriber id, token hash) each."""
    bulk_insert(
        session=session,
        table=EmailToken.__table__,  # type: ignore[attr-defined]
        rows=[
            {"token_hash": token_hash, "subscriber_id": subscriber_id, "created_at": now}
            for subscriber_id, token_hash in tokens
        ],
    )


def revoke_tokens(session: Session, *, subscriber_id: int) -> int:
    """Every link token of the subscriber stops working; how many there were."""
    result = session.execute(
        delete(EmailToken).where(col(EmailToken.subscriber_id) == subscriber_id)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def insert_request(
    session: Session,
    *,
    address: str,
    category_ids: Sequence[int],
    frequency: str,
    language: str,
    client_hash: str | None,
    now: datetime,
) -> EmailRequest:
    request = EmailRequest(
        address=address,
        category_ids=",".join(str(i) for i in dict.fromkeys(category_ids)),
        frequency=frequency,
        language=language,
        client_hash=client_hash,
        created_at=now,
    )
    session.add(request)
    session.flush()
    return request


def fetch_latest_request(session: Session, *, address: str) -> EmailRequest | None:
    return session.exec(
        select(EmailRequest)
        .where(EmailRequest.address == address)
        .order_by(col(EmailRequest.created_at).desc(), col(EmailRequest.id).desc())
    ).first()


def fetch_requests(session: Session, *, address: str) -> list[EmailRequest]:
    return list(
        session.exec(
            select(EmailRequest)
            .where(EmailRequest.address == address)
            .order_by(col(EmailRequest.id))
        ).all()
    )


def count_client_requests(session: Session, *, client_hash: str, since: datetime) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(EmailRequest)
            .where(EmailRequest.client_hash == client_hash, col(EmailRequest.created_at) >= since)
        ).one()
    )


def fetch_request_by_token(session: Session, *, token_hash: str) -> EmailRequest | None:
    return session.exec(select(EmailRequest).where(EmailRequest.token_hash == token_hash)).first()


def set_request_token(session: Session, *, request_id: int, token_hash: str) -> None:
    session.execute(
        update(EmailRequest)
        .where(col(EmailRequest.id) == request_id)
        .values(token_hash=token_hash)
    )


def delete_requests(
    session: Session, *, address: str | None = None, before: datetime | None = None
) -> int:
    """Requests of `address`, or made before `before`; their unsent e-mails are closed."""
    where = []
    if address is not None:
        where.append(col(EmailRequest.address) == address)
    if before is not None:
        where.append(col(EmailRequest.created_at) < before)
    ids = list(session.exec(select(EmailRequest.id).where(*where)).all())
    if not ids:
        return 0
    session.execute(
        update(Delivery)
        .where(
            col(Delivery.channel) == Channel.EMAIL.value,
            col(Delivery.status).in_(OPEN_STATUSES),
            col(Delivery.notice_id).in_(
                select(Notice.id).where(
                    Notice.kind == NoticeKind.EMAIL_CONFIRM.value, col(Notice.ref_id).in_(ids)
                )
            ),
        )
        .values(status=DeliveryStatus.FAILED.value, last_error="request withdrawn")
    )
    session.execute(delete(EmailRequest).where(col(EmailRequest.id).in_(ids)))
    return len(ids)


def enqueue_confirmation(
    session: Session, *, request_id: int, address_hash: str, now: datetime
) -> int:
    """The confirmation e-mail of a request, as an outbox row; the notice row's id."""
    notice = Notice(
        kind=NoticeKind.EMAIL_CONFIRM.value,
        ref_id=request_id,
        title="",
        body="",
        state="released",
        released_at=now,
        recipients=1,
        created_at=now,
    )
    session.add(notice)
    session.flush()
    assert notice.id is not None
    bulk_insert(
        session=session,
        table=DELIVERY_TABLE,
        rows=[email_row(notice.id, None, address_hash, now)],
    )
    notify_written(session)
    return notice.id


def email_row(
    notice_id: int,
    subscriber_id: int | None,
    address_hash: str,
    now: datetime,
    once_key: str | None = None,
) -> dict[str, object]:
    return {
        "notice_id": notice_id,
        "person_id": None,
        "chat_id": None,
        "status": DeliveryStatus.PENDING.value,
        "attempts": 0,
        "parts_sent": 0,
        "next_attempt_at": now,
        "priority": BULK,
        "once_key": once_key
        or (None if subscriber_id is None else f"email:{notice_id}:{subscriber_id}"),
        "channel": Channel.EMAIL.value,
        "email_id": subscriber_id,
        "email_hash": address_hash,
    }


def enqueue_notice_emails(session: Session, *, notice_id: int, now: datetime) -> int:
    """One e-mail row for each confirmed `immediately` subscriber of the notice's categories,
    in the release's transaction; how many."""
    subscribers = session.execute(
        sa_select(col(EmailSubscriber.id), col(EmailSubscriber.address))
        .where(
            col(EmailSubscriber.frequency) == EmailFrequency.IMMEDIATELY.value,
            col(EmailSubscriber.id).in_(
                select(EmailSubscriberCategory.subscriber_id)
                .join(
                    NoticeCategory,
                    col(NoticeCategory.category_id) == EmailSubscriberCategory.category_id,
                )
                .where(NoticeCategory.notice_id == notice_id)
            ),
        )
        .order_by(col(EmailSubscriber.id))
    ).all()
    rows = [
        email_row(notice_id, subscriber_id, keyed_hash(session=session, text=address), now)
        for subscriber_id, address in subscribers
    ]
    bulk_insert(session=session, table=DELIVERY_TABLE, rows=rows)
    if rows:
        notify_written(session)
    return len(rows)


@dataclass(frozen=True)
class TakenEmail:
    """An e-mail row the sender took: what to send it to and from what."""

    id: int
    notice_id: int
    kind: str
    ref_id: int | None
    email_id: int | None
    attempts: int
    first_error_at: datetime | None


def take_due_emails(session: Session, *, now: datetime, limit: int) -> list[TakenEmail]:
    """Open e-mail rows due now, oldest first, marked `unknown` (`SENDING`) in this
    transaction: another sender skips them, and a crash before the outcome is written leaves
    them for a person instead of sending them again."""
    candidates = (
        sa_select(col(Delivery.id))
        .where(
            col(Delivery.channel) == Channel.EMAIL.value,
            col(Delivery.status).in_(OPEN_STATUSES),
            col(Delivery.next_attempt_at) <= now,
        )
        .order_by(col(Delivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = [r[0] for r in session.execute(candidates).all()]
    if not ids:
        return []
    taken = session.execute(
        update(Delivery)
        .where(col(Delivery.id).in_(ids), col(Delivery.status).in_(OPEN_STATUSES))
        .values(status=DeliveryStatus.UNKNOWN.value, last_error=SENDING)
        .returning(col(Delivery.id))
    ).all()
    taken_ids = [r[0] for r in taken]
    if not taken_ids:
        return []
    rows = session.execute(
        sa_select(
            col(Delivery.id),
            col(Delivery.notice_id),
            col(Notice.kind),
            col(Notice.ref_id),
            col(Delivery.email_id),
            col(Delivery.attempts),
            col(Delivery.first_error_at),
        )
        .join(Notice, col(Notice.id) == Delivery.notice_id)
        .where(col(Delivery.id).in_(taken_ids))
        .order_by(col(Delivery.id))
    ).all()
    return [TakenEmail(*r) for r in rows]


def fetch_request(session: Session, *, request_id: int) -> EmailRequest | None:
    return session.get(EmailRequest, request_id)


def fetch_subscribers_by_ids(
    session: Session, *, subscriber_ids: Sequence[int]
) -> dict[int, EmailSubscriber]:
    """The subscribers of `subscriber_ids` still there, by id."""
    found: dict[int, EmailSubscriber] = {}
    for chunk in chunks(list(dict.fromkeys(subscriber_ids))):
        for subscriber in session.exec(
            select(EmailSubscriber).where(col(EmailSubscriber.id).in_(chunk))
        ).all():
            assert subscriber.id is not None
            found[subscriber.id] = subscriber
    return found


def fetch_next_email_due_at(session: Session, *, now: datetime) -> datetime | None:
    """When the next open e-mail row (a retry put off) falls due after `now`."""
    return session.exec(
        select(func.min(Delivery.next_attempt_at)).where(
            col(Delivery.channel) == Channel.EMAIL.value,
            col(Delivery.status).in_(OPEN_STATUSES),
            col(Delivery.next_attempt_at) > now,
        )
    ).one()


def fetch_email_delivery_counts(session: Session, *, notice_id: int) -> dict[str, int]:
    """The notice's e-mail rows by status (every status present, zeros included)."""
    return fetch_email_counts(session=session, notice_ids=[notice_id])[notice_id]


def fetch_email_counts(
    session: Session, *, notice_ids: Sequence[int]
) -> dict[int, dict[str, int]]:
    """Notice id → its e-mail rows by status (every id and status present, zeros included)."""
    counts = {n: {s.value: 0 for s in DeliveryStatus} for n in notice_ids}
    if not notice_ids:
        return counts
    rows = session.exec(
        select(Delivery.notice_id, Delivery.status, func.count())
        .where(col(Delivery.notice_id).in_(notice_ids), Delivery.channel == Channel.EMAIL.value)
        .group_by(col(Delivery.notice_id), col(Delivery.status))
    ).all()
    for notice_id, status, count in rows:
        counts[notice_id][status] = int(count)
    return counts


def count_email_followers(session: Session, *, category_ids: Sequence[int]) -> dict[str, int]:
    """Confirmed addresses following any of `category_ids`, by frequency (each present): who a
    notice to them reaches by e-mail, at once or in a digest."""
    counts = {f.value: 0 for f in EmailFrequency}
    if not category_ids:
        return counts
    rows = session.execute(
        sa_select(col(EmailSubscriber.frequency), func.count())
        .where(
            col(EmailSubscriber.id).in_(
                select(EmailSubscriberCategory.subscriber_id).where(
                    col(EmailSubscriberCategory.category_id).in_(category_ids)
                )
            )
        )
        .group_by(col(EmailSubscriber.frequency))
    ).all()
    for frequency, count in rows:
        counts[frequency] = int(count)
    return counts


def fetch_email_figures(
    session: Session, *, start: datetime, end: datetime, kind: str
) -> NoticeFigures:
    """Messages of `kind` released in [start, end) that went by e-mail: how many, their
    e-mails (one per address) and those e-mails by status."""
    rows = session.execute(
        sa_select(col(Delivery.notice_id), col(Delivery.status), func.count())
        .join(Notice, col(Notice.id) == Delivery.notice_id)
        .where(
            col(Notice.kind) == kind,
            col(Notice.released_at) >= start,
            col(Notice.released_at) < end,
            col(Delivery.channel) == Channel.EMAIL.value,
        )
        .group_by(col(Delivery.notice_id), col(Delivery.status))
    ).all()
    by_status: dict[str, int] = {}
    for _, status, count in rows:
        by_status[status] = by_status.get(status, 0) + int(count)
    return NoticeFigures(len({r[0] for r in rows}), sum(by_status.values()), by_status)
