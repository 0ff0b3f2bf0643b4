"""Case news goes before the rest of a broadcast: a petitioner's reply written while a
5,000-recipient notice is being sent waits for a slot or two of the overall rate, not for the
thousands of copies queued ahead of it, and still keeps the rate and one message a second per
chat."""

from __future__ import annotations

import time
from datetime import date

from sqlalchemy import insert, select

from bot.notices.publishing import publish as publish_notice
from storage.models import Category, Person, Role, Subscription
from tests.factories import do, file_on, person
from tests.harness import BotHarness

SECRETARY = 7301
FIRM = 7303
FIRMS = range(9_000_000, 9_005_000)
REPLY = "經查該商品已下架，並已通知業者改正。"
TITLE = "Five thousand firms"


def add_subscribers(bot: BotHarness) -> None:
    """5,000 firms subscribed to `cns`, written in two statements."""

    def add(session) -> None:  # type: ignore[no-untyped-def]
        session.execute(
            insert(Person),
            [{"telegram_id": t, "first_name": "firm", "language": "en"} for t in FIRMS],
        )
        category = session.execute(select(Category.id).where(Category.code == "cns")).scalar_one()
        people = session.execute(
            select(Person.id).where(Person.telegram_id >= FIRMS[0])  # type: ignore[operator]
        ).scalars()
        session.execute(
            insert(Subscription), [{"person_id": p, "category_id": category} for p in people]
        )

    bot.db.call(add)


def copies_sent(bot: BotHarness) -> list[float]:
    """When each broadcast copy was accepted (the fake's monotonic clock)."""
    return [c.at for c in bot.fake.calls("sendMessage") if c.ok and TITLE in (c.text or "")]


async def test_a_case_reply_is_not_held_up_by_a_broadcast_in_progress(bot: BotHarness) -> None:
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    reporter = person(bot.db, FIRM)
    filed = file_on(bot.db, date(2026, 11, 2), reporter=reporter)
    do(bot.db, filed.number, "assign", secretary, date(2026, 11, 3), unit="sec1")
    await bot.outbox_sent()
    add_subscribers(bot)
    bot.db.call(publish_notice, title=TITLE, body="Body.", codes=["cns"], created_by_id=None)
    await bot.wait_until(lambda: len(copies_sent(bot)) >= 50, what="the broadcast under way")

    do(bot.db, filed.number, "reply", secretary, date(2026, 11, 5), text=REPLY)
    committed = time.monotonic()
    await bot.wait_until(
        lambda: any(REPLY in (c.text or "") for c in bot.fake.calls("sendMessage", chat_id=FIRM)),
        what="the reply",
    )
    (reply,) = [c for c in bot.fake.calls("sendMessage", chat_id=FIRM) if REPLY in (c.text or "")]
    delay = reply.at - committed
    ahead = [at for at in copies_sent(bot) if committed < at < reply.at]
    rate = bot.settings.broadcast_rate
    # The pace is the worker's (BROADCAST_RATE a second); on a loaded machine every send is
    # slower alike, so the reply's wait is counted in broadcast copies that went before it:
    # at most two seconds' worth at the configured rate, against 4,950 queued.
    assert len(ahead) <= 2 * rate, (len(ahead), delay)
    assert delay < 2.0 or len(ahead) <= rate, (len(ahead), delay)
    sent = copies_sent(bot)
    assert len(sent) < len(FIRMS)  # the broadcast was still going
    # still within the overall rate: no second holds more than the rate (+ in-flight slack)
    window = [at for at in sent if at > sent[0] + 1.0]
    assert window and max(sum(1 for b in window if a <= b < a + 1.0) for a in window) <= rate + 2
