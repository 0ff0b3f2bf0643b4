"""The mail sender's two transactions per batch: take the due e-mail rows (marked so they are
never sent twice), make each row's link token and compose its message; then write what the
server answered, ending a refused address's subscription."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlmodel import Session

from bot.mail import digests
from bot.mail.addresses import new_token, token_hash
from bot.mail.messages import NoticeMail, Sender, confirmation_message, notice_message
from bot.mail.outcomes import Answer, Attempt, result_of
from bot.mail.subscribing import bounce
from storage.models.notices import NoticeKind
from storage.queries import archive as archive_q
from storage.queries import mail as q
from storage.queries import notices as notices_q
from storage.queries.outbox.results import DeliveryResult, record_delivery_results


@dataclass(frozen=True)
class Outgoing:
    """A taken row and its message; `message` None: nothing to send (`why_not`)."""

    row: q.TakenEmail
    to: str
    message: EmailMessage | None
    why_not: str = "address deleted"


def take(session: Session, *, now: datetime, limit: int, sender: Sender) -> list[Outgoing]:
    """Due e-mail rows taken (`storage.queries.mail.take_due_emails`), each composed with a
    new link token whose hash is kept in this transaction."""
    taken = q.take_due_emails(session=session, now=now, limit=limit)
    subscribers = q.fetch_subscribers_by_ids(
        session=session, subscriber_ids=[r.email_id for r in taken if r.email_id is not None]
    )
    notices: dict[tuple[int, str], NoticeMail] = {}
    public: dict[int, bool] = {}
    tokens: list[tuple[int, str]] = []
    out: list[Outgoing] = []
    for row in taken:
        if row.kind == NoticeKind.EMAIL_CONFIRM.value:
            out.append(_confirmation(session, row, sender=sender))
            continue
        subscriber = None if row.email_id is None else subscribers.get(row.email_id)
        if subscriber is None or subscriber.id is None:
            out.append(Outgoing(row, "", None))
            continue
        token = new_token()
        message: EmailMessage | None
        if row.kind == NoticeKind.EMAIL_DIGEST.value:
            message = digests.compose(
                session,
                digest_id=row.ref_id,
                subscriber=subscriber,
                sender=sender,
                token=token,
                public=public,
            )
            if message is None:
                out.append(Outgoing(row, subscriber.address, None, "nothing to send"))
                continue
        else:
            key = (row.notice_id, subscriber.language)
            if key not in notices:
                notices[key] = _notice(session, row.notice_id, subscriber.language)
            message = notice_message(
                notices[key],
                sender=sender,
                to=subscriber.address,
                language=subscriber.language,
                token=token,
            )
        tokens.append((subscriber.id, token_hash(token)))
        out.append(Outgoing(row, subscriber.address, message))
    q.add_tokens(session=session, tokens=tokens, now=now)
    return out


def _notice(session: Session, notice_id: int, language: str) -> NoticeMail:
    notice = notices_q.fetch_notice(session=session, notice_id=notice_id)
    assert notice is not None
    categories = notices_q.fetch_notice_categories(session=session, notice_id=notice_id)
    return NoticeMail(
        notice_id=notice_id,
        title=notice.title,
        body=notice.body,
        released_at=notice.released_at or notice.created_at,
        category_names=[c.name_in(language) for c in categories],
        attachment_names=[notice.attachment_name] if notice.attachment_name else [],
        public=archive_q.fetch_public_notice(session=session, notice_id=notice_id) is not None,
    )


def _confirmation(session: Session, row: q.TakenEmail, *, sender: Sender) -> Outgoing:
    request = (
        None if row.ref_id is None else q.fetch_request(session=session, request_id=row.ref_id)
    )
    if request is None or request.id is None:
        return Outgoing(row, "", None)
    token = new_token()
    q.set_request_token(session=session, request_id=request.id, token_hash=token_hash(token))
    wanted = {int(i) for i in request.category_ids.split(",") if i}
    names = [
        c.name_in(request.language)
        for c in notices_q.fetch_categories(session=session)
        if c.id in wanted
    ]
    message = confirmation_message(
        sender=sender,
        to=request.address,
        language=request.language,
        token=token,
        category_names=names,
        frequency=request.frequency,
    )
    return Outgoing(row, request.address, message)


def record(
    session: Session, *, done: Sequence[tuple[q.TakenEmail, Attempt]], now: datetime
) -> None:
    """Write each row's outcome; an address the server refused for good loses its
    subscription (or its request)."""
    results: list[DeliveryResult] = []
    for row, attempt in done:
        result = result_of(
            attempt,
            row_id=row.id,
            attempts=row.attempts,
            first_error_at=row.first_error_at,
            now=now,
        )
        results.append(result)
        if attempt.answer is Answer.REFUSED:
            confirming = row.kind == NoticeKind.EMAIL_CONFIRM.value
            bounce(
                session,
                subscriber_id=None if confirming else row.email_id,
                request_id=row.ref_id if confirming else None,
            )
    record_delivery_results(session=session, results=results)
