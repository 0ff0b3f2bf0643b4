"""One row's send (`bot/delivery/sending.py`): its message loaded once for every send that asks
at the same time, each part paced and recorded before the next goes (a retry sends only the
parts the chat lacks), an attachment uploaded once and then sent by its file id."""

from __future__ import annotations

import asyncio
import dataclasses
import signal
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlmodel import col, select
from telegram import Bot

from bot.delivery.batches import Batches
from bot.delivery.pacing import Pacer
from bot.delivery.prepared import Prepared
from bot.delivery.sending import FORGET_CHATS_PAST, Sender
from bot.delivery.setbacks import Setbacks
from bot.delivery.transport import AiohttpRequest
from bot.delivery.worker import DeliveryWorker, in_flight_for
from bot.notices.publishing import publish as publish_notice
from bot.settings import Settings
from kernel.clock import utcnow
from storage.db import Database
from storage.models import Delivery
from storage.models.notices import DeliveryStatus
from storage.queries.outbox import due
from storage.queries.outbox.due import DueDelivery
from tests.bot.delivery.broadcasts import (
    add_subscribers,
    publish,
    rows,
    wait_done,
    worker_process,
)
from tests.conftest import TOKEN
from tests.fakes import FakeBotApi

LONG_BODY = "\n\n".join(f"Paragraph {i}. " + "words " * 250 for i in range(6))
"""A body Telegram's limit splits into three messages."""


@pytest.fixture
async def sender(db: Database, fake_api: FakeBotApi, settings: Settings) -> AsyncIterator[Sender]:
    """A sender of its own on the fake Bot API, its outcomes written by a running `Batches`."""
    bot = Bot(TOKEN, base_url=fake_api.base_url, request=AiohttpRequest(8))
    batches = Batches(db, delay=0.01, setbacks=Setbacks("test"), on_written=lambda *_: None)
    stopping = asyncio.Event()
    writer = asyncio.create_task(batches.run(stopping=stopping, sending=lambda: False))
    async with bot:
        yield Sender(
            db=db,
            bot=bot,
            pacer=Pacer(50),
            batches=batches,
            settings=settings,
            default_language="en",
            per_chat_interval=1.0,
        )
    stopping.set()
    batches.have_results.set()
    await writer


def due_rows(db: Database) -> dict[int, DueDelivery]:
    found = db.call(due.fetch_due_deliveries, now=utcnow(), limit=100)
    return {row.chat_id: row for row in found}


async def test_a_message_asked_for_by_many_sends_at_once_is_loaded_once(
    db: Database, sender: Sender
) -> None:
    add_subscribers(db, [6601])
    notice_id = publish(db, "Loaded once")
    first, second, third = await asyncio.gather(*(sender.prepared(notice_id) for _ in range(3)))
    assert first is not None and first is second is third
    assert first.title == "Loaded once"
    sender.forget_the_past(idle=False)  # sends still under way: it is kept
    assert await sender.prepared(notice_id) is first
    sender.forget_the_past(idle=True)  # nothing queued or in flight: loaded afresh next time
    again = await sender.prepared(notice_id)
    assert again is not None and again is not first


async def test_a_load_that_failed_is_tried_again_on_the_next_ask(
    db: Database, sender: Sender, tmp_path: Path
) -> None:
    add_subscribers(db, [6602])
    notice_id = publish(db, "Loaded on the second try")
    away = Database(f"sqlite:///{tmp_path / 'unmigrated.sqlite3'}")
    sender.db = away  # a database without the tables: the load fails
    try:
        with pytest.raises(Exception, match="no such table: notice"):
            await sender.prepared(notice_id)
    finally:
        away.dispose()
    sender.db = db
    loaded = await sender.prepared(notice_id)
    assert loaded is not None and loaded.title == "Loaded on the second try"


async def test_a_retry_sends_only_the_parts_the_chat_does_not_have(
    db: Database, fake_api: FakeBotApi, sender: Sender
) -> None:
    add_subscribers(db, [6603])
    published = db.call(
        publish_notice, title="Three parts", body=LONG_BODY, codes=["cns"], created_by_id=None
    )
    notice = await sender.prepared(published.notice_id)
    assert notice is not None and len(notice.parts("en")) == 3
    row = dataclasses.replace(due_rows(db)[6603], parts_sent=1)  # the first part went before
    outcome = await sender.attempt(row, notice)
    assert outcome.status is DeliveryStatus.SENT and outcome.result.parts_sent == 3
    sent = [c.text for c in fake_api.calls("sendMessage", chat_id=6603) if c.ok]
    assert sent == [part.text for part in notice.parts("en")[1:]]
    # the second part's progress was written before the third went
    assert rows(db, published.notice_id)[6603].parts_sent == 2


async def test_a_row_in_an_unknown_language_gets_the_default_one(
    db: Database, fake_api: FakeBotApi, sender: Sender
) -> None:
    add_subscribers(db, [6604])
    notice_id = publish(db, "Default language")
    notice = await sender.prepared(notice_id)
    assert notice is not None
    row = dataclasses.replace(due_rows(db)[6604], language="fr")
    outcome = await sender.attempt(row, notice)
    assert outcome.status is DeliveryStatus.SENT
    sent = [c.text for c in fake_api.calls("sendMessage", chat_id=6604) if c.ok]
    assert sent == [part.text for part in notice.parts("en")]
    assert notice.parts("en") != notice.parts("zh-TW")


async def test_a_row_whose_notice_is_gone_is_closed_without_sending(
    db: Database, fake_api: FakeBotApi, sender: Sender
) -> None:
    add_subscribers(db, [6605])
    publish(db, "Deleted meanwhile")
    outcome = await sender.attempt(due_rows(db)[6605], None)
    assert outcome.status is DeliveryStatus.FAILED
    assert outcome.result.last_error == "notice no longer exists"
    assert fake_api.calls("sendMessage", chat_id=6605) == []


async def test_an_attachment_whose_bytes_are_missing_fails_without_a_document(
    db: Database, fake_api: FakeBotApi, sender: Sender
) -> None:
    add_subscribers(db, [6606])
    notice_id = publish(db, "File lost")
    notice = Prepared(notice_id=notice_id, title="File lost", attachment_name="rules.pdf")
    outcome = await sender.attempt(due_rows(db)[6606], notice)
    assert outcome.status is DeliveryStatus.FAILED
    assert "attachment is missing" in (outcome.result.last_error or "")
    assert outcome.result.parts_sent == 1  # the text went; the document never did
    assert fake_api.calls("sendDocument") == []


async def test_pacing_marks_already_passed_are_dropped_when_there_are_many(
    sender: Sender,
) -> None:
    now = asyncio.get_running_loop().time()
    sender.chat_ready = {chat: now - 1.0 for chat in range(FORGET_CHATS_PAST - 1)}
    sender.chat_ready[-1] = now + 60.0  # a chat still waiting for its turn
    sender.forget_the_past(idle=False)
    assert len(sender.chat_ready) == FORGET_CHATS_PAST  # not past the mark: all kept
    sender.chat_ready[-2] = now - 1.0
    sender.forget_the_past(idle=False)
    assert sender.chat_ready == {-1: now + 60.0}


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
