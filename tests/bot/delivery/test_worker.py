"""The delivery worker against the fake Bot API: pacing, 429, 403, 400, 5xx, the lease, and
resuming after SIGKILL without losing anybody."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlmodel import Session, col, select
from telegram import Bot

from bot.delivery.look import look_at_outbox
from bot.delivery.transport import AiohttpRequest, make_delivery_bot
from bot.delivery.worker import DeliveryWorker, in_flight_for, lease_name, worker_for
from bot.notices.publishing import publish as publish_notice
from bot.notices.status import NoticeStatus, notice_status
from bot.notices.subscriptions import subscribe_by_codes
from kernel.clock import utcnow
from storage.db import Database
from storage.models import Delivery, Person
from tests.bot.delivery.conftest import worker_on
from tests.conftest import TOKEN
from tests.fakes import FakeBotApi
from tests.harness import BotHarness

REPO = Path(__file__).resolve().parents[3]
T = TypeVar("T")
IN_FLIGHT_GRACE = 0.25
"""A send already on its way when a 429 came back may still land just after it."""


def add_subscribers(db: Database, ids: list[int], code: str = "cns") -> None:
    def add(session: Session) -> None:
        for telegram_id in ids:
            person = Person(telegram_id=telegram_id, first_name=f"firm {telegram_id}")
            session.add(person)
            session.flush()
            assert person.id is not None
            subscribe_by_codes(session=session, person_id=person.id, codes=[code], language="en")

    db.call(add)


def publish(db: Database, title: str, code: str = "cns") -> int:
    published = db.call(
        publish_notice, title=title, body="Body text.", codes=[code], created_by_id=None
    )
    return published.notice_id


def rows(db: Database, notice_id: int) -> dict[int, Delivery]:
    with db.transaction() as session:
        found = session.exec(select(Delivery).where(Delivery.notice_id == notice_id)).all()
    return {r.chat_id: r for r in found}


async def wait_done(db: Database, notice_id: int, timeout: float = 20.0) -> NoticeStatus:
    deadline = time.monotonic() + timeout
    while True:
        status = await db.run(notice_status, notice_id=notice_id)
        if status.done == status.total:
            return status
        if time.monotonic() > deadline:
            raise AssertionError(f"delivery not finished: {status.counts}")
        await asyncio.sleep(0.1)


def copies(fake: FakeBotApi, chat_id: int, title: str) -> int:
    return sum(
        1 for c in fake.calls("sendMessage", chat_id=chat_id) if c.ok and title in (c.text or "")
    )


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


async def test_two_notices_to_one_chat_are_at_least_a_second_apart(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker
) -> None:
    add_subscribers(db, [5401])
    first = publish(db, "First of two")
    second = publish(db, "Second of two")
    await wait_done(db, first)
    await wait_done(db, second)
    calls = [c for c in fake_api.calls("sendMessage", chat_id=5401) if c.ok]
    assert len(calls) == 2
    assert calls[1].at - calls[0].at >= 0.95


async def test_a_second_worker_waits_while_the_first_holds_the_lease(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker
) -> None:
    second = worker_for(
        db=db,
        token=TOKEN,
        base_url=fake_api.base_url,
        base_file_url=None,
        rate=50,
        default_language="en",
        lease=timedelta(seconds=3),
    )
    async with second.bot:
        second.start()
        add_subscribers(db, list(range(5500, 5530)))
        notice_id = publish(db, "One worker only")
        await wait_done(db, notice_id)
        assert not second.holding
        assert second.sent_count == 0 and worker.sent_count == 30
        await second.stop()
    assert fake_api.stats()["duplicates"] == 0


async def test_an_attachment_is_uploaded_once_then_sent_by_file_id(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker
) -> None:
    chats = [5601, 5602, 5603]
    add_subscribers(db, chats)
    published = db.call(
        publish_notice,
        title="With a file",
        body="See the attachment.",
        codes=["cns"],
        created_by_id=None,
        attachment_name="rules.pdf",
        attachment_content=b"%PDF-1.4 rules",
    )
    await wait_done(db, published.notice_id)
    documents = [c for c in fake_api.calls("sendDocument") if c.ok]
    assert sorted(c.chat_id for c in documents) == chats
    uploads = [c for c in documents if not isinstance(c.params.get("document"), str)]
    assert len(uploads) == 1
    file_id = documents[-1].params["document"]
    assert fake_api.file_bytes(file_id) == b"%PDF-1.4 rules"
    for chat in chats:
        assert "📎 Attachment: rules.pdf" in fake_api.last_text(chat)


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


def worker_process(database_url: str, fake: FakeBotApi, rate: int) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": fake.base_url,
        "TELEGRAM_BASE_FILE_URL": fake.base_file_url,
        "DATABASE_URL": database_url,
        "BROADCAST_RATE": str(rate),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.delivery", "--lease-seconds", "2"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


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


async def test_a_long_notice_interrupted_by_a_429_goes_on_from_the_part_it_reached(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker
) -> None:
    add_subscribers(db, [5901])
    body = "\n\n".join(f"Paragraph {i}. " + "words " * 250 for i in range(6))
    published = db.call(
        publish_notice, title="Long one", body=body, codes=["cns"], created_by_id=None
    )
    await fake_api.async_wait_for(
        lambda c: c.method == "sendMessage" and c.chat_id == 5901 and c.ok, timeout=10
    )
    fake_api.fail("sendMessage", chat_id=5901, status=429, retry_after=1, times=1)
    await wait_done(db, published.notice_id)
    accepted = [c.text for c in fake_api.calls("sendMessage", chat_id=5901) if c.ok]
    assert len(accepted) == 3 and len(set(accepted)) == 3  # each part once, none repeated
    assert [f"{i}/3)" in (text or "") for i, text in enumerate(accepted, start=1)] == [True] * 3
    assert any(c.status == 429 for c in fake_api.calls("sendMessage", chat_id=5901))
    assert rows(db, published.notice_id)[5901].parts_sent == 3


async def test_an_idle_worker_sleeps_instead_of_waking_to_write_nothing(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker
) -> None:
    await asyncio.sleep(0.3)  # it holds the lease and has looked at the empty outbox
    flushes = 0
    flush = worker.batches.flush

    async def counted() -> bool:
        nonlocal flushes
        flushes += 1
        return await flush()

    worker.batches.flush = counted  # type: ignore[method-assign]
    await asyncio.sleep(1.0)
    assert flushes == 0


async def test_outcomes_at_a_paced_rate_are_written_several_to_a_transaction(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.queries.outbox import results as q

    batches: list[int] = []
    record = q.record_delivery_results

    def counted(session: Session, *, results: list[q.DeliveryResult]) -> None:
        batches.append(len(results))
        record(session=session, results=results)

    monkeypatch.setattr(q, "record_delivery_results", counted)
    chats = list(range(6000, 6060))
    add_subscribers(db, chats)
    notice_id = publish(db, "Sixty at fifty a second")
    status = await wait_done(db, notice_id)
    assert status.counts["sent"] == 60 and sum(batches) == 60
    assert len(batches) <= 16, batches  # not one commit per message


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


def test_the_delivery_bot_waits_a_minute_for_telegrams_answer() -> None:
    bot = make_delivery_bot(token=TOKEN, base_url=None, base_file_url=None, pool_size=8)
    assert (bot.request.read_timeout or 0) >= 60


async def test_a_send_answered_after_the_read_timeout_is_not_sent_again(
    db: Database, fake_api: FakeBotApi
) -> None:
    chats = list(range(6400, 6430))
    add_subscribers(db, chats)
    impatient = DeliveryWorker(
        db=db,
        bot=Bot(TOKEN, base_url=fake_api.base_url, request=AiohttpRequest(32, read_timeout=0.5)),
        rate=50,
        lock_name=lease_name(TOKEN),
        default_language="en",
        lease=timedelta(seconds=3),
    )
    fake_api.slow("sendMessage", seconds=1.5, times=30)  # accepted, answered past the timeout
    async with impatient.bot:
        impatient.start()
        notice_id = publish(db, "Answered late")
        deadline = time.monotonic() + 20
        while any(r.status == "pending" for r in rows(db, notice_id).values()):
            assert time.monotonic() < deadline, {
                c: r.status for c, r in rows(db, notice_id).items()
            }
            await asyncio.sleep(0.1)
        # Whatever the rows say now, the time they would wait for a retry is over.
        with db.transaction() as session:
            for row in session.exec(select(Delivery).where(Delivery.notice_id == notice_id)):
                row.next_attempt_at = utcnow()
                session.add(row)
        deadline = time.monotonic() + 20
        while any(r.status in ("pending", "retrying") for r in rows(db, notice_id).values()):
            assert time.monotonic() < deadline
            await asyncio.sleep(0.1)
        await impatient.stop()
    assert all(copies(fake_api, chat, "Answered late") == 1 for chat in chats)
    assert {r.status for r in rows(db, notice_id).values()} == {"unknown"}
    assert fake_api.stats()["duplicates"] == 0


@pytest.mark.slow
async def test_a_worker_killed_during_a_long_notice_resends_no_part_twice(
    db: Database, database_url: str
) -> None:
    rate = 100
    chats = list(range(200_000, 200_040))
    add_subscribers(db, chats)
    body = "\n\n".join(f"Paragraph {i}. " + "words " * 250 for i in range(8))
    with FakeBotApi(token=TOKEN, send_delay=0.1) as fake:
        first = worker_process(database_url, fake, rate)
        try:
            published = db.call(
                publish_notice, title="Four parts", body=body, codes=["cns"], created_by_id=None
            )
            await fake.async_wait_for(lambda _c: fake.stats()["delivered"] >= 60, timeout=30)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        assert fake.stats()["delivered"] < 160, "the broadcast finished before the kill"
        second = worker_process(database_url, fake, rate)
        try:
            status = await wait_done(db, published.notice_id, timeout=90)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(timeout=20)
        parts = Counter(
            (c.chat_id, c.text)
            for c in fake.calls("sendMessage")
            if c.ok and "Four parts" in (c.text or "")
        )
    assert status.counts["sent"] == 40
    texts = {chat: {text for c, text in parts if c == chat} for chat in chats}
    assert all(len(texts[chat]) == 4 for chat in chats)  # every part reached every chat
    repeated = Counter(chat for (chat, _text), n in parts.items() for _ in range(n - 1))
    # only a part on its way at the kill can arrive twice: one per chat at most
    assert max(repeated.values(), default=0) <= 1, repeated
    assert sum(repeated.values()) <= in_flight_for(rate)
    with db.transaction() as session:
        done = session.exec(
            select(Delivery.parts_sent).where(col(Delivery.notice_id) == published.notice_id)
        ).all()
    assert set(done) == {4}


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
