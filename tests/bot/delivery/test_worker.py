"""The dispatcher against the fake Bot API: every subscriber once, 429s waited out by every
chat, errors retried or given up, a blocked chat skipped, the queue asleep while a chat waits,
a look answered late, and resuming after SIGKILL without losing anybody."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from sqlmodel import select

from bot.delivery.look import look_at_outbox
from bot.delivery.worker import DeliveryWorker, in_flight_for
from bot.notices.publishing import publish as publish_notice
from kernel.clock import utcnow
from storage.db import Database
from storage.models import Delivery, Person
from tests.bot.delivery.broadcasts import (
    add_subscribers,
    copies,
    publish,
    rows,
    wait_done,
    worker_process,
)
from tests.bot.delivery.conftest import worker_on
from tests.conftest import TOKEN
from tests.fakes import FakeBotApi
from tests.harness import BotHarness

T = TypeVar("T")
IN_FLIGHT_GRACE = 0.25
"""A send already on its way when a 429 came back may still land just after it."""


async def test_every_subscriber_gets_exactly_one_copy(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker
) -> None:
    chats = list(range(5000, 5040))
    add_subscribers(db, chats)
    notice_id = publish(db, "Forty firms")
    status = await wait_done(db, notice_id)
    assert status.counts["sent"] == 40
    assert all(copies(fake_api, chat, "Forty firms") == 1 for chat in chats)
    assert fake_api.stats()["duplicates"] == 0
    assert all(r.sent_at is not None and r.attempts == 1 for r in rows(db, notice_id).values())


async def test_429s_are_waited_out_and_every_recipient_still_gets_one_copy(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker
) -> None:
    chats = list(range(5100, 5120))
    add_subscribers(db, chats)
    limited = chats[3:6]
    for chat in limited:
        fake_api.fail("sendMessage", chat_id=chat, status=429, retry_after=2, times=1)
    started = time.monotonic()
    notice_id = publish(db, "Rate limited")
    await wait_done(db, notice_id)
    assert all(copies(fake_api, chat, "Rate limited") == 1 for chat in chats)
    for chat in limited:
        calls = fake_api.calls("sendMessage", chat_id=chat)
        refused, accepted = calls[0], calls[-1]
        assert refused.status == 429 and accepted.ok
        assert accepted.at - refused.at >= 2.0  # waited at least retry_after
    # Telegram's flood wait is the bot's: no other chat got a message while the worker waited
    first_429 = min(fake_api.calls("sendMessage", chat_id=c)[0].at for c in limited)
    others = [fake_api.calls("sendMessage", chat_id=c)[-1].at for c in chats if c not in limited]
    assert all(at < first_429 + IN_FLIGHT_GRACE or at >= first_429 + 1.95 for at in others)
    assert started < first_429
    statuses = rows(db, notice_id)
    assert {statuses[c].status for c in chats} == {"sent"}
    assert all(statuses[c].attempts == 2 for c in limited)


async def test_chat_not_found_fails_for_good_and_server_errors_are_retried_later(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker
) -> None:
    add_subscribers(db, [5201, 5202, 5203])
    fake_api.fail("sendMessage", chat_id=5201, status=400, times=None)
    fake_api.fail("sendMessage", chat_id=5202, status=502, times=1)
    before = utcnow()
    notice_id = publish(db, "Errors")
    deadline = time.monotonic() + 10
    while True:
        found = rows(db, notice_id)
        if found[5201].status == "failed" and found[5202].status == "retrying":
            break
        assert time.monotonic() < deadline, {c: r.status for c, r in found.items()}
        await asyncio.sleep(0.1)
    assert found[5203].status in ("sent", "pending")
    assert "chat not found" in (found[5201].last_error or "").lower()
    retry = found[5202]
    assert retry.next_attempt_at >= before + timedelta(seconds=25)  # backoff, not a hot loop
    assert retry.first_error_at is not None and retry.attempts == 1
    # once the backoff is over it is sent
    with db.transaction() as session:
        row = session.get(Delivery, retry.id)
        assert row is not None
        row.next_attempt_at = utcnow()
        session.add(row)
    await wait_done(db, notice_id)
    assert rows(db, notice_id)[5202].status == "sent"
    assert copies(fake_api, 5202, "Errors") == 1


async def test_server_errors_past_the_retry_window_are_marked_failed(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker
) -> None:
    add_subscribers(db, [5301])
    fake_api.fail("sendMessage", chat_id=5301, status=500, times=None)
    with db.transaction() as session:
        notice = publish_notice(
            session=session, title="Old", body="B", codes=["cns"], created_by_id=None
        )
        row = session.exec(select(Delivery).where(Delivery.notice_id == notice.notice_id)).one()
        row.first_error_at = utcnow() - timedelta(hours=4)  # has been failing for hours
        row.attempts = 9
        session.add(row)
    status = await wait_done(db, notice.notice_id)
    assert status.counts["failed"] == 1


async def test_a_blocked_subscriber_is_skipped_after_the_first_403_until_they_unblock(
    bot: BotHarness,
) -> None:
    firm, other = 5701, 5702
    await bot.say(firm, "/start sub-cns", language_code="en")
    await bot.say(other, "/start sub-cns", language_code="en")
    bot.fake.block(firm)  # blocked without a my_chat_member update reaching us
    first = publish(bot.db, "Notice one")
    await wait_done(bot.db, first)
    assert rows(bot.db, first)[firm].status == "blocked"
    with bot.db.transaction() as session:
        person = session.exec(select(Person).where(Person.telegram_id == firm)).one()
    assert person.blocked
    second = publish(bot.db, "Notice two")
    await wait_done(bot.db, second)
    assert firm not in rows(bot.db, second)  # not even tried
    assert len(bot.fake.calls("sendMessage", chat_id=firm)) == 2  # the /start reply and one 403
    bot.fake.chat_member_update(firm, "member")  # they unblock the bot
    await bot.fake.async_wait_for("getUpdates", count=1, timeout=5)
    deadline = time.monotonic() + 5
    while True:
        with bot.db.transaction() as session:
            person = session.exec(select(Person).where(Person.telegram_id == firm)).one()
        if not person.blocked:
            break
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    third = publish(bot.db, "Notice three")
    await wait_done(bot.db, third)
    assert copies(bot.fake, firm, "Notice three") == 1
    assert copies(bot.fake, firm, "Notice two") == 0
    assert copies(bot.fake, other, "Notice one") == 1


async def test_a_kicked_update_blocks_at_once_so_the_next_notice_skips_them(
    bot: BotHarness,
) -> None:
    firm = 5801
    await bot.say(firm, "/start sub-events", language_code="en")
    bot.fake.chat_member_update(firm, "kicked")
    deadline = time.monotonic() + 5
    while True:
        with bot.db.transaction() as session:
            person = session.exec(select(Person).where(Person.telegram_id == firm)).one()
        if person.blocked:
            break
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    notice_id = publish(bot.db, "After kick", code="events")
    assert rows(bot.db, notice_id) == {}
    assert len(bot.fake.calls("sendMessage", chat_id=firm)) == 1


@pytest.mark.slow
async def test_a_worker_killed_mid_broadcast_resumes_without_losing_anybody(
    db: Database, database_url: str
) -> None:
    rate = 100
    chats = list(range(100_000, 100_500))
    add_subscribers(db, chats)
    with FakeBotApi(token=TOKEN, send_delay=0.1) as fake:
        first = worker_process(database_url, fake, rate)
        try:
            notice_id = publish(db, "Five hundred")
            await fake.async_wait_for(lambda _c: fake.stats()["delivered"] >= 150, timeout=30)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        at_kill = fake.stats()["delivered"]
        assert at_kill < 500, "the broadcast finished before the kill"
        second = worker_process(database_url, fake, rate)
        try:
            status = await wait_done(db, notice_id, timeout=60)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=20)
        assert second.returncode == 0
        received = Counter(
            c.chat_id
            for c in fake.calls("sendMessage")
            if c.ok and "Five hundred" in (c.text or "")
        )
    assert status.counts["sent"] == 500
    assert set(received) == set(chats)  # nobody is missing
    duplicates = sum(n - 1 for n in received.values())
    assert duplicates <= in_flight_for(rate)  # at most the sends in flight at the kill


async def test_a_row_waiting_for_its_chats_pause_is_not_polled_for(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker
) -> None:
    add_subscribers(db, [6101])
    looks = 0
    next_ready = worker._next_ready

    def counted(now: float):  # type: ignore[no-untyped-def]
        nonlocal looks
        looks += 1
        return next_ready(now)

    worker._next_ready = counted  # type: ignore[method-assign]
    first = publish(db, "First of a pair")
    second = publish(db, "Second of a pair")
    await wait_done(db, first)
    await wait_done(db, second)  # the second waited about a second for the chat's pause
    # Each written outcome, look and wake-up turns the loop once or twice (about 15 on a quiet
    # machine, a few more on a loaded one, where looks at the refill poll add up); a dispatcher
    # that polled for the paused chat instead of sleeping to its time would turn thousands.
    assert looks <= 60, looks


async def test_a_storm_of_429s_holds_every_chat_for_retry_after_and_loses_nothing(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker
) -> None:
    chats = list(range(6300, 6340))
    add_subscribers(db, chats)
    fake_api.fail("sendMessage", status=429, retry_after=1, times=6)  # whichever chats come up
    notice_id = publish(db, "Storm")
    status = await wait_done(db, notice_id, timeout=60)
    calls = fake_api.calls("sendMessage")
    refusals = [c.at for c in calls if c.status == 429]
    accepted = [c.at for c in calls if c.ok]
    assert len(refusals) == 6
    for refused in refusals:  # nothing reached any chat while Telegram asked the bot to wait
        assert not [at for at in accepted if refused + IN_FLIGHT_GRACE < at < refused + 0.95]
    assert status.counts["sent"] == 40
    assert all(copies(fake_api, chat, "Storm") == 1 for chat in chats)
    assert fake_api.stats()["duplicates"] == 0


class LateLooks(Database):
    """The test's database, whose looks at the outbox that fetch rows return `LATE` seconds
    after their commit, as they do when the machine is loaded and the thread that read them
    waits for its turn."""

    def call(self, fn: Callable[..., T], /, **kwargs: Any) -> T:
        result = super().call(fn, **kwargs)
        if fn is look_at_outbox and kwargs.get("limit"):
            time.sleep(LATE)
        return result


LATE = 0.4


async def test_a_look_at_the_outbox_answered_late_sends_no_row_a_second_time(
    db: Database, fake_api: FakeBotApi
) -> None:
    chats = list(range(6500, 6600))
    add_subscribers(db, chats)
    fake_api.send_delay = 0.2  # sends in flight and outcomes to write whenever a look reads
    late = LateLooks(db.url)
    worker = worker_on(late, fake_api)
    try:
        async with worker.bot:
            worker.start()
            notice_id = publish(late, "Read late")
            await wait_done(late, notice_id, timeout=30)
            await worker.stop()
    finally:
        late.dispose()
    assert [c for c in chats if copies(fake_api, c, "Read late") != 1] == []
    assert fake_api.stats()["duplicates"] == 0
