"""Subscribing by e-mail (double opt-in): a request writes a confirmation e-mail to the outbox,
following its link subscribes; a link in every e-mail manages or ends the subscription.

The web pages call these; each is one use case in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from bot.mail.addresses import new_token, normalise_address, token_hash
from kernel.errors import UserError
from kernel.i18n import LANGUAGES
from storage.models import Category
from storage.models.mail import EmailFrequency, EmailRequest, EmailSubscriber
from storage.queries import mail as q
from storage.queries import notices as notices_q

REQUEST_DAYS = 7
"""A confirmation link's validity; an unconfirmed request is deleted after it."""
RESEND_AFTER = timedelta(minutes=10)
"""At most one confirmation e-mail per address in this time (a form is no way to flood)."""
CLIENT_LIMIT = 10
"""Requests one client address may make in an hour."""
BOUNCED = "bounced"
FREQUENCIES = tuple(f.value for f in EmailFrequency)


@dataclass(frozen=True)
class Choice:
    """What an address receives (or asked to): categories, frequency, language."""

    address: str
    categories: tuple[Category, ...]
    frequency: str
    language: str


@dataclass(frozen=True)
class Requested:
    """A request's answer: `key` (a catalogue text) says whether a confirmation e-mail went."""

    address: str
    sent: bool
    key: str


def check_choice(
    session: Session, *, codes: Sequence[str], frequency: str, language: str
) -> list[Category]:
    """The live categories of `codes`; UserError for none, an unknown one, a bad frequency or
    language."""
    if frequency not in FREQUENCIES:
        raise UserError("mail.bad_frequency")
    if language not in LANGUAGES:
        raise UserError("mail.bad_language")
    wanted = [c.strip().lower() for c in codes if c.strip()]
    if not wanted:
        raise UserError("mail.no_category")
    live = {c.code: c for c in notices_q.fetch_categories(session=session)}
    unknown = [c for c in wanted if c not in live]
    if unknown:
        raise UserError("mail.unknown_category", code=unknown[0])
    return [live[c] for c in dict.fromkeys(wanted)]


def request_subscription(
    session: Session,
    *,
    address: str,
    categories: Sequence[str],
    frequency: str,
    language: str,
    client: str | None,
    now: datetime,
) -> Requested:
    """Write a request and its confirmation e-mail to the outbox; nothing is subscribed.

    No second e-mail to an address within RESEND_AFTER (the answer says so); a client may
    ask CLIENT_LIMIT times an hour. The e-mail's link is made when it is sent."""
    normal = normalise_address(address)
    chosen = check_choice(session, codes=categories, frequency=frequency, language=language)
    latest = q.fetch_latest_request(session=session, address=normal)
    if latest is not None and latest.created_at > now - RESEND_AFTER:
        return Requested(normal, False, "mail.already_requested")
    client_hash = None if client is None else q.keyed_hash(session=session, text=client)
    if client_hash is not None:
        made = q.count_client_requests(
            session=session, client_hash=client_hash, since=now - timedelta(hours=1)
        )
        if made >= CLIENT_LIMIT:
            raise UserError("mail.too_many_requests")
    request = q.insert_request(
        session=session,
        address=normal,
        category_ids=[c.id for c in chosen if c.id is not None],
        frequency=frequency,
        language=language,
        client_hash=client_hash,
        now=now,
    )
    assert request.id is not None
    q.enqueue_confirmation(
        session=session,
        request_id=request.id,
        address_hash=q.keyed_hash(session=session, text=normal),
        now=now,
    )
    return Requested(normal, True, "mail.requested")


@dataclass(frozen=True)
class Confirmed:
    """What a confirmation subscribed, and a token for the page's link to manage it."""

    choice: Choice
    token: str


def _pending(session: Session, token: str, now: datetime) -> tuple[EmailRequest, list[Category]]:
    request = q.fetch_request_by_token(session=session, token_hash=token_hash(token))
    if request is None:
        if _subscriber(session, token) is not None:
            # The link was pressed before: `confirm` kept it as the subscriber's manage link.
            raise UserError("mail.already_confirmed")
        raise UserError("mail.link_unknown")
    if request.created_at <= now - timedelta(days=REQUEST_DAYS):
        raise UserError("mail.link_expired")  # `purge_unconfirmed` deletes it
    live = {c.id: c for c in notices_q.fetch_categories(session=session)}
    categories = [live[int(i)] for i in request.category_ids.split(",") if int(i) in live]
    if not categories:
        raise UserError("mail.no_category")
    return request, categories


def requested_choice(session: Session, *, token: str, now: datetime) -> Choice:
    """What confirming this link would subscribe (nothing changes); UserError as `confirm`."""
    request, categories = _pending(session, token, now)
    return Choice(request.address, tuple(categories), request.frequency, request.language)


def confirm(session: Session, *, token: str, now: datetime) -> Confirmed:
    """Subscribe the address of the request whose link this is (its choice replaces any
    earlier one); UserError for an unknown or expired link."""
    request, categories = _pending(session, token, now)
    subscriber = q.save_subscriber(
        session=session,
        address=request.address,
        language=request.language,
        frequency=request.frequency,
        category_ids=[c.id for c in categories if c.id is not None],
        now=now,
    )
    q.delete_requests(session=session, address=request.address)
    # The confirmation link becomes the subscriber's first manage link (only its hash is
    # kept, as for every link), so pressing it again says "already confirmed" with the way to
    # manage the subscription rather than "link not recognised".
    assert subscriber.id is not None
    q.add_token(
        session=session, subscriber_id=subscriber.id, token_hash=token_hash(token), now=now
    )
    return Confirmed(_choice(subscriber, categories), token)


def _issue(session: Session, subscriber: EmailSubscriber, *, now: datetime) -> str:
    assert subscriber.id is not None
    token = new_token()
    q.add_token(
        session=session, subscriber_id=subscriber.id, token_hash=token_hash(token), now=now
    )
    return token


def _choice(subscriber: EmailSubscriber, categories: Sequence[Category]) -> Choice:
    return Choice(subscriber.address, tuple(categories), subscriber.frequency, subscriber.language)


def _subscriber(session: Session, token: str) -> EmailSubscriber | None:
    return q.fetch_subscriber_by_token(session=session, token_hash=token_hash(token))


def current_choice(session: Session, *, token: str) -> Choice:
    """What the subscriber of this link receives; UserError for an unknown link."""
    subscriber = _subscriber(session, token)
    if subscriber is None or subscriber.id is None:
        raise UserError("mail.link_unknown")
    categories = q.fetch_subscriber_categories(session=session, subscriber_id=subscriber.id)
    return _choice(subscriber, categories)


def unsubscribe(session: Session, *, token: str) -> bool:
    """Delete the address of this link with its subscriptions; False if it was already gone
    (a repeat is no error)."""
    subscriber = _subscriber(session, token)
    if subscriber is None or subscriber.id is None:
        return False
    q.delete_subscriber(session=session, subscriber_id=subscriber.id, reason="unsubscribed")
    return True


def change(
    session: Session, *, token: str, categories: Sequence[str], frequency: str, language: str
) -> Choice | None:
    """Replace what the subscriber of this link receives; no category at all unsubscribes
    (None). UserError for an unknown link or a bad choice."""
    subscriber = _subscriber(session, token)
    if subscriber is None or subscriber.id is None:
        raise UserError("mail.link_unknown")
    if not [c for c in categories if c.strip()]:
        unsubscribe(session, token=token)
        return None
    chosen = check_choice(session, codes=categories, frequency=frequency, language=language)
    subscriber.frequency, subscriber.language = frequency, language
    session.add(subscriber)
    q.set_subscriber_categories(
        session=session, subscriber_id=subscriber.id, ids=[c.id for c in chosen if c.id]
    )
    return _choice(subscriber, chosen)


def revoke_links(session: Session, *, token: str, now: datetime) -> str:
    """Every link of the subscriber stops working; a new token for the page that asked."""
    subscriber = _subscriber(session, token)
    if subscriber is None or subscriber.id is None:
        raise UserError("mail.link_unknown")
    q.revoke_tokens(session=session, subscriber_id=subscriber.id)
    return _issue(session, subscriber, now=now)


def purge_unconfirmed(session: Session, *, now: datetime) -> int:
    """Delete the requests older than REQUEST_DAYS; how many."""
    return q.delete_requests(session=session, before=now - timedelta(days=REQUEST_DAYS))


def bounce(session: Session, *, subscriber_id: int | None, request_id: int | None) -> None:
    """The mail server refused the address for good: its subscription or request ends."""
    if subscriber_id is not None:
        q.delete_subscriber(session=session, subscriber_id=subscriber_id, reason=BOUNCED)
    if request_id is not None:
        request = q.fetch_request(session=session, request_id=request_id)
        if request is not None:
            q.delete_requests(session=session, address=request.address)
