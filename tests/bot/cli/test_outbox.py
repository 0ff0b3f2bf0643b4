"""Deliveries left unknown (sent, no answer from Telegram or the mail server) wait for a person:
`outbox unknown` lists them, `outbox resend` sends the checked ones again (audited; a bad id is
one sentence and changes nothing), and /notices says how many wait."""

from __future__ import annotations

import json

from sqlalchemy import update
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cli.app import app
from kernel.clock import utcnow
from storage.db import Database
from storage.models import AuditEntry, Category, Delivery
from storage.models.mail import EmailSubscriber, EmailSubscriberCategory
from storage.models.notices import DeliveryStatus
from tests.bot.delivery.broadcasts import add_subscribers, publish
from tests.conftest import ADMIN_ID
from tests.harness import BotHarness

FIRM = 8801
TITLE = "Recall of power banks"


def mark_unknown(bot: BotHarness, notice_id: int) -> int:
    """What the worker writes when a send's answer never comes back."""

    def mark(session) -> int:  # type: ignore[no-untyped-def]
        session.execute(
            update(Delivery)
            .where(Delivery.notice_id == notice_id)  # type: ignore[arg-type]
            .values(
                status=DeliveryStatus.UNKNOWN.value,
                last_error="no answer",
                attempts=1,
                parts_sent=0,  # the part whose answer was lost is not counted as accepted
            )
        )
        return session.exec(select(Delivery.id).where(Delivery.notice_id == notice_id)).one()

    return bot.db.call(mark)


def status(bot: BotHarness, delivery_id: int) -> str:
    return bot.db.call(lambda session: session.get(Delivery, delivery_id).status)  # type: ignore[misc]


async def test_an_unknown_delivery_is_listed_counted_and_resent_after_a_check(
    bot: BotHarness, cli: CliRunner
) -> None:
    add_subscribers(bot.db, [FIRM])
    notice_id = publish(bot.db, TITLE)
    await bot.outbox_sent()
    delivery_id = mark_unknown(bot, notice_id)  # as if the send's answer had been lost
    sends = len(bot.fake.calls("sendMessage", chat_id=FIRM))

    listed = cli.invoke(app, ["outbox", "unknown"])
    assert listed.exit_code == 0, listed.output
    assert f"#{delivery_id} message {notice_id}" in listed.output and str(FIRM) in listed.output
    assert cli.invoke(
        app, ["outbox", "unknown", "--notice", str(notice_id + 1)]
    ).output.startswith("No delivery is unknown.")
    overview = await bot.say(ADMIN_ID, "/notices", language_code="en")
    assert "1 deliveries are unknown" in overview

    bad = cli.invoke(app, ["outbox", "resend", str(delivery_id), str(delivery_id + 100)])
    assert bad.exit_code == 2
    assert bad.output.strip().splitlines() == [
        f"Delivery #{delivery_id + 100} does not exist or is not unknown; nothing was resent."
    ]
    assert status(bot, delivery_id) == "unknown"

    done = cli.invoke(app, ["outbox", "resend", str(delivery_id)])
    assert done.exit_code == 0, done.output
    await bot.wait_until(
        lambda: len(bot.fake.calls("sendMessage", chat_id=FIRM)) > sends, what="the resent copy"
    )
    await bot.outbox_sent()
    assert status(bot, delivery_id) == "sent"
    copies = [c for c in bot.fake.calls("sendMessage", chat_id=FIRM) if TITLE in (c.text or "")]
    assert len(copies) == 2  # the first, whose answer was lost, and the one resent
    audit = bot.db.call(
        lambda session: session.exec(  # type: ignore[misc]
            select(AuditEntry).where(AuditEntry.action == "outbox.resend")
        ).all()
    )
    assert [a.target for a in audit] == [str(delivery_id)]
    assert "No delivery is unknown." in cli.invoke(app, ["outbox", "unknown"]).output


def test_an_unknown_email_is_listed_by_its_subscriber_and_after_removal_without_one(
    db: Database, cli: CliRunner
) -> None:
    """A mail server that took the DATA and never answered leaves the row unknown too; it is
    listed by its subscriber's number (never the address), and once the address is removed
    the row still says an address was written to."""

    def subscriber(session: Session) -> int:
        row = EmailSubscriber(address="mei@example.com", language="en", confirmed_at=utcnow())
        session.add(row)
        session.flush()
        cns = session.exec(select(Category).where(Category.code == "cns")).one()
        session.add(EmailSubscriberCategory(subscriber_id=row.id, category_id=cns.id))
        return row.id  # type: ignore[return-value]

    email_id = db.call(subscriber)
    notice_id = publish(db, TITLE)

    def lost(session: Session) -> int:
        row = session.exec(
            select(Delivery).where(Delivery.notice_id == notice_id, Delivery.channel == "email")
        ).one()
        row.status, row.last_error = DeliveryStatus.UNKNOWN.value, "no answer after DATA"
        return row.id  # type: ignore[return-value]

    delivery_id = db.call(lost)
    listed = cli.invoke(app, ["outbox", "unknown"])
    assert f"#{delivery_id} message {notice_id}" in listed.output
    assert f"→ e-mail subscriber {email_id}," in listed.output and "mei@" not in listed.output
    shown = json.loads(cli.invoke(app, ["outbox", "unknown", "--json"]).output)["unknown"]
    assert [(r["channel"], r["email_id"], r["chat_id"]) for r in shown] == [
        ("email", email_id, None)
    ]
    assert cli.invoke(app, ["email", "remove", "mei@example.com"]).exit_code == 0
    listed = cli.invoke(app, ["outbox", "unknown"])
    assert "→ an e-mail address since removed," in listed.output
