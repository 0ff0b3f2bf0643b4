"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it accepts and refuses the
recipients a test names, with the code the test gives; confirmed subscribers written directly
(`add_subscribers`)."""

from __future__ import annotations

import email
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session

from bot.mail.messages import Sender
from bot.mail.sender import MailSender
from bot.mail.transport import SmtpTransport
from storage.db import Database
from storage.queries import mail as mail_q
from storage.queries import notices as notices_q

BASE_URL = "http://127.0.0.1:8080"
SENDER = Sender(
    mail_from="新竹分局 <notices@bsmi.example>", base_url=BASE_URL, tz=ZoneInfo("Asia/Taipei")
)


@dataclass
class Inbox:
    """What the server accepted, and what it refuses: address -> [codes, used in turn]."""

    received: list[tuple[str, bytes]] = field(default_factory=list)
    refuse: dict[str, list[str]] = field(default_factory=dict)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
        answers = self.refuse.get(address)
        if answers:
            return answers.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        for rcpt in envelope.rcpt_tos:
            self.received.append((rcpt, envelope.original_content))
        return "250 Message accepted"

    def to(self, address: str) -> list[Message]:
        return [email.message_from_bytes(data) for rcpt, data in self.received if rcpt == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
async def mail_sender(db: Database, smtp_server: tuple[Inbox, int]) -> AsyncIterator[MailSender]:
    """A sender to the test's server over one connection, closed at the end."""
    _, port = smtp_server
    transport = SmtpTransport(scheme="smtp", host="127.0.0.1", port=port, timeout=5)
    yield MailSender(db, transport=transport, sender=SENDER, rate=0)
    await transport.close()


TWO_AT_ONCE_ONE_DAILY = {
    "a@example.com": "immediately",
    "b@example.com": "immediately",
    "c@example.com": "daily",
}


def add_subscribers(
    session: Session,
    subscribers: dict[str, str],
    *,
    codes: tuple[str, ...],
    now: datetime,
    language: str = "en",
) -> dict[str, int]:
    """Confirmed subscribers (address -> frequency) of the categories `codes`, as if each had
    followed its confirmation link; address -> id."""
    ids = [c.id for c in notices_q.fetch_categories(session=session) if c.code in codes]
    found = {}
    for address, frequency in subscribers.items():
        subscriber = mail_q.save_subscriber(
            session=session,
            address=address,
            language=language,
            frequency=frequency,
            category_ids=[i for i in ids if i is not None],
            now=now,
        )
        assert subscriber.id is not None
        found[address] = subscriber.id
    return found
