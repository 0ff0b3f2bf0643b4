"""Deliveries left unknown (sent, no answer from Telegram) wait for a person: `outbox unknown`
lists them, `outbox resend` sends the checked ones again (audited; a bad id is one sentence and
changes nothing), and /notices says how many wait."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli.app import app
from storage.models import AuditEntry, Delivery
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
