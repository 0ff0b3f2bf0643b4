"""The mail sender against a real SMTP server on 127.0.0.1: a confirmation arrives once, its
link subscribes, a released notice arrives once with both List-Unsubscribe headers, a 550 ends
the subscription, a 451 is retried and delivered, and without a relay the e-mails are files."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy
from email.message import Message
from pathlib import Path

import pytest
from sqlmodel import select

from bot.mail import subscribing
from bot.mail.sender import MailSender
from bot.mail.transport import DropTransport
from bot.notices.publishing import publish
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.db import Database
from storage.models import Delivery, EmailSubscriber
from storage.models.notices import Channel
from tests.bot.mail.conftest import SENDER, Inbox


def ask(db: Database, address: str) -> None:
    db.call(
        lambda session: subscribing.request_subscription(
            session,
            address=address,
            categories=["rpc"],
            frequency="immediately",
            language="zh-TW",
            client="203.0.113.9",
            now=utcnow(),
        )
    )


def release(db: Database, title: str = "新制公告", *, archive: bool = True) -> int:
    return db.call(
        lambda session: publish(
            session,
            title=title,
            body="內容",
            codes=["rpc"],
            created_by_id=None,
            now=utcnow(),
            archive=archive,
        )
    ).notice_id


def link(message: Message, kind: str) -> str:
    text = next(message.iter_parts()).get_content()  # type: ignore[attr-defined]
    found = re.search(rf"http://127\.0\.0\.1:8080/email/{kind}/([A-Za-z0-9_-]+)", text)
    assert found is not None, text
    return found.group(1)


def parsed(data: bytes) -> Message:
    return email.message_from_bytes(data, policy=policy.default)


def email_rows(db: Database) -> list[Delivery]:
    with db.reading() as session:
        return list(
            session.exec(
                select(Delivery)
                .where(Delivery.channel == Channel.EMAIL.value)
                .order_by(Delivery.id)
            ).all()
        )


async def drain(sender: MailSender) -> None:
    while await sender.send_due():
        pass


async def confirmed(db: Database, sender: MailSender, inbox: Inbox, address: str) -> None:
    """`address` asks, its confirmation arrives, and its link is followed."""
    ask(db, address)
    await drain(sender)
    token = link(parsed(inbox.to(address)[-1].as_bytes()), "confirm")
    db.call(lambda session: subscribing.confirm(session, token=token, now=utcnow()))


async def test_confirmation_then_a_notice_arrive_once_each_with_the_list_headers(
    db: Database, smtp_server: tuple[Inbox, int], mail_sender: MailSender
) -> None:
    inbox, _ = smtp_server
    ask(db, "Mei@Example.com")
    await drain(mail_sender)
    await drain(mail_sender)
    confirmations = inbox.to("mei@example.com")
    assert len(confirmations) == 1
    token = link(parsed(inbox.received[0][1]), "confirm")
    release(db, "送出前的公告")  # before confirming: nothing goes to the address
    await drain(mail_sender)
    assert len(inbox.received) == 1
    confirmed = db.call(lambda session: subscribing.confirm(session, token=token, now=utcnow()))
    assert [c.code for c in confirmed.choice.categories] == ["rpc"]
    notice_id = release(db)
    await drain(mail_sender)
    await drain(mail_sender)
    notices = [parsed(data) for rcpt, data in inbox.received[1:]]
    assert len(notices) == 1
    notice = notices[0]
    assert notice["Subject"] == "新制公告"
    unsubscribe = link(notice, "unsubscribe")
    assert notice["List-Unsubscribe"] == f"<http://127.0.0.1:8080/email/unsubscribe/{unsubscribe}>"
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"http://127.0.0.1:8080/notices/{notice_id}" in next(notice.iter_parts()).get_content()  # type: ignore[attr-defined]
    assert [r.status for r in email_rows(db)] == ["sent", "sent"]
    assert db.call(lambda session: subscribing.unsubscribe(session, token=unsubscribe))
    release(db, "退訂後")
    await drain(mail_sender)
    assert len(inbox.received) == 2


async def test_a_550_for_the_recipient_ends_its_subscription(
    db: Database, smtp_server: tuple[Inbox, int], mail_sender: MailSender
) -> None:
    inbox, _ = smtp_server
    await confirmed(db, mail_sender, inbox, "gone@example.com")
    inbox.refuse["gone@example.com"] = ["550 5.1.1 No such user"]
    release(db)
    await drain(mail_sender)
    rows = email_rows(db)
    assert rows[-1].status == "failed" and rows[-1].last_error.startswith("bounced: 550")  # type: ignore[union-attr]
    assert rows[-1].email_id is None and rows[-1].email_hash
    with db.reading() as session:
        assert session.exec(select(EmailSubscriber)).all() == []


async def test_a_451_is_retried_later_and_delivered(
    db: Database, smtp_server: tuple[Inbox, int], mail_sender: MailSender
) -> None:
    inbox, _ = smtp_server
    inbox.refuse["busy@example.com"] = ["451 4.3.0 Try again later"]
    ask(db, "busy@example.com")
    await drain(mail_sender)
    [row] = email_rows(db)
    assert (row.status, row.attempts, row.last_error) == (
        "retrying",
        1,
        "451 4.3.0 Try again later",
    )
    assert row.next_attempt_at > utcnow() + timedelta(seconds=20)
    assert inbox.received == []
    db.call(
        lambda session: session.get(Delivery, row.id).__setattr__("next_attempt_at", utcnow())  # type: ignore[union-attr]
    )
    await drain(mail_sender)
    [row] = email_rows(db)
    assert (row.status, row.attempts) == ("sent", 2)
    assert len(inbox.to("busy@example.com")) == 1


async def test_a_taken_row_is_never_sent_twice_after_a_crash(
    db: Database, smtp_server: tuple[Inbox, int], mail_sender: MailSender
) -> None:
    from bot.mail import outbox

    inbox, _ = smtp_server
    ask(db, "once@example.com")
    taken = db.call(lambda session: outbox.take(session, now=utcnow(), limit=10, sender=SENDER))
    assert len(taken) == 1  # then the process dies before writing the outcome
    await drain(mail_sender)
    assert inbox.received == []
    [row] = email_rows(db)
    assert row.status == "unknown"


async def test_without_a_relay_each_email_is_written_as_an_eml_file(
    db: Database, tmp_path: Path
) -> None:
    folder = tmp_path / "mail"
    sender = MailSender(db, transport=DropTransport(folder), sender=SENDER, rate=0)
    ask(db, "file@example.com")
    await drain(sender)
    files = sorted(folder.glob("*.eml"))
    assert len(files) == 1
    message = parsed(files[0].read_bytes())
    assert message["To"] == "file@example.com"
    token = link(message, "confirm")
    with pytest.raises(UserError) as caught:
        db.call(
            lambda session: subscribing.confirm(
                session, token=token, now=utcnow() + timedelta(days=7, minutes=1)
            )
        )
    assert caught.value.key == "mail.link_expired"
    assert [r.status for r in email_rows(db)] == ["sent"]


async def test_a_notice_not_for_the_archive_arrives_without_a_link_to_a_missing_page(
    db: Database, smtp_server: tuple[Inbox, int], mail_sender: MailSender
) -> None:
    inbox, _ = smtp_server
    await confirmed(db, mail_sender, inbox, "private@example.com")
    public_id = release(db, "公開")
    private_id = release(db, "不公開", archive=False)
    await drain(mail_sender)
    texts = {
        parsed(data)["Subject"]: next(parsed(data).iter_parts()).get_content()  # type: ignore[attr-defined]
        for _, data in inbox.received[1:]
    }
    assert f"http://127.0.0.1:8080/notices/{public_id}" in texts["公開"]
    assert f"/notices/{private_id}" not in texts["不公開"]
    assert "/email/unsubscribe/" in texts["不公開"]
