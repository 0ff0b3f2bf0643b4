"""A person's request about their e-mail address (個資法 第 3 條): what is kept, and deleting it
(`bsmi-desk email show|remove ADDRESS`); and `bsmi-desk email import`, which only sends
confirmation requests for a list the branch already has."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.mail.addresses import normalise_address
from bot.mail.subscribing import Choice, check_choice, request_subscription
from kernel.cleaning import one_line
from kernel.csvread import read_csv_table
from kernel.errors import BadRows, Problem, UserError
from storage.models.mail import EmailRequest
from storage.queries import mail as q

COLUMNS = ("email", "categories", "frequency", "language")


@dataclass(frozen=True)
class Kept:
    """What is kept of an address: its subscription (if confirmed) and open requests."""

    address: str
    subscription: Choice | None
    confirmed_at: datetime | None
    requests: tuple[EmailRequest, ...]


def show(session: Session, *, address: str) -> Kept:
    normal = normalise_address(address)
    subscriber = q.fetch_subscriber(session=session, address=normal)
    choice, confirmed = None, None
    if subscriber is not None and subscriber.id is not None:
        categories = q.fetch_subscriber_categories(session=session, subscriber_id=subscriber.id)
        choice = Choice(normal, tuple(categories), subscriber.frequency, subscriber.language)
        confirmed = subscriber.confirmed_at
    requests = tuple(q.fetch_requests(session=session, address=normal))
    return Kept(normal, choice, confirmed, requests)


def remove(session: Session, *, address: str) -> tuple[int, int]:
    """Delete the address's subscription and requests; (subscriptions, requests) deleted."""
    normal = normalise_address(address)
    subscriber = q.fetch_subscriber(session=session, address=normal)
    removed = 0
    if subscriber is not None and subscriber.id is not None:
        q.delete_subscriber(session=session, subscriber_id=subscriber.id, reason="removed")
        removed = 1
    return removed, q.delete_requests(session=session, address=normal)


def import_requests(session: Session, *, text: str, now: datetime) -> tuple[int, int]:
    """Check every row (`email,categories,frequency,language`, categories by code joined with
    `;`), then send a confirmation request for each: (sent, skipped within 10 minutes). Bad
    rows: BadRows listing each, nothing written."""
    table = read_csv_table(text, required=COLUMNS, name=lambda h: one_line(h).lower())
    rows: list[tuple[str, list[str], str, str]] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for line, fields in table.rows:
        value = {k: one_line(v) for k, v in fields.items()}
        codes = [c for c in value["categories"].split(";") if c.strip()]
        frequency = value["frequency"].lower() or "immediately"
        language = value["language"] or "zh-TW"
        try:
            address = normalise_address(value["email"])
            check_choice(session, codes=codes, frequency=frequency, language=language)
        except UserError as error:
            problems.append(Problem(line, error.key, error.values))
            continue
        if address in seen:
            problems.append(Problem(line, "mail.cli.duplicate", {"other": seen[address]}))
            continue
        seen[address] = line
        rows.append((address, codes, frequency, language))
    if problems:
        raise BadRows("mail.cli.bad_rows", problems)
    if not rows:
        raise UserError("mail.cli.empty")
    sent = 0
    for address, codes, frequency, language in rows:
        done = request_subscription(
            session,
            address=address,
            categories=codes,
            frequency=frequency,
            language=language,
            client=None,
            now=now,
        )
        sent += done.sent
    return sent, len(rows) - sent
