"""The expiry reminder job releases into the outbox: the firm's chats get the reminder once,
also when the bot restarts while it is being sent (a send that failed is retried by the
outbox after the restart, the job never releases it again)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import Session, col, select

from bot.jobs.expiry_reminders import run_once
from bot.notices.expiry import Released
from bot.notices.registry import import_register
from kernel import workcalendar
from kernel.clock import utcnow
from storage.models import Delivery, Notice, Person
from storage.models.notices import OPEN_STATUSES
from tests.harness import BotHarness

TAX_ID = "27505051"
CHATS = (3201, 3202)


def setup(bot: BotHarness) -> datetime:
    tz = bot.settings.tz
    day = workcalendar.previous_working_day(utcnow().astimezone(tz).date())
    moment = datetime.combine(day, time(11), tzinfo=tz)

    def add(session: Session) -> None:
        for chat in CHATS:
            session.add(Person(telegram_id=chat, tax_id=TAX_ID, language="en"))
        session.add(Person(telegram_id=3203, tax_id=None))

    bot.db.call(add)
    expires = (day + timedelta(days=20)).isoformat()
    row = f"{TAX_ID},metrology,M-77,taxi meter,{expires}"
    bot.db.call(
        import_register,
        text=f"tax_id,kind,number,product,expires_on\n{row}\n",
        replace=False,
        days=(30, 7),
        tz=tz,
        now=moment - timedelta(days=30),
    )
    return moment


def deliveries(bot: BotHarness) -> list[tuple[int, str]]:
    def read(session: Session) -> list[tuple[int, str]]:
        rows = session.exec(
            select(Delivery.chat_id, Delivery.status)
            .join(Notice, col(Notice.id) == Delivery.notice_id)
            .where(Notice.kind == "reminder")
            .order_by(col(Delivery.chat_id))
        ).all()
        return [(c, s) for c, s in rows]

    return bot.db.call(read)


async def test_a_restart_mid_send_neither_loses_nor_repeats_the_reminder(
    bot: BotHarness,
) -> None:
    moment = setup(bot)
    bot.fake.fail("sendMessage", chat_id=CHATS[1], status=500, times=1)
    assert bot.app is not None
    first = await run_once(bot.app.bot_data["services"], moment)
    assert first == Released(sent=1, recipients=2)  # the 30-day one; the 7-day one waits
    await bot.wait_until(
        lambda: deliveries(bot) == [(CHATS[0], "sent"), (CHATS[1], "retrying")],
        what="the first chat served, the second waiting to retry",
    )
    await bot.restart()
    assert bot.app is not None
    again = await run_once(bot.app.bot_data["services"], moment + timedelta(minutes=5))
    assert again == Released()

    def backoff_over(session: Session) -> None:  # as if the retry's wait were over
        for row in session.exec(select(Delivery).where(Delivery.status == "retrying")):
            row.next_attempt_at = utcnow()
            session.add(row)

    bot.db.call(backoff_over)
    await bot.wait_until(
        lambda: all(s not in OPEN_STATUSES for _, s in deliveries(bot)),
        what="both chats served after the restart",
    )
    assert deliveries(bot) == [(CHATS[0], "sent"), (CHATS[1], "sent")]
    for chat in CHATS:
        received = [c for c in bot.fake.calls("sendMessage", chat_id=chat) if c.ok]
        assert len(received) == 1 and "M-77" in (received[0].text or "")
        assert "taxi meter" in (received[0].text or "")
    assert bot.fake.calls("sendMessage", chat_id=3203) == []
