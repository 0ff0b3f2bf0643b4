"""The worker's HTTP transport (`bot/delivery/transport.py`) against servers on 127.0.0.1: a
request that never reached the server ("never sent": safe to send again) told apart from one
that did and got no answer, late or cut off ("sent, no answer": `AnswerLost`, not sent again);
uploads as multipart; a minute's wait for an answer."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import select
from telegram import Bot, InputFile
from telegram.error import NetworkError

from bot.delivery import outcomes
from bot.delivery.transport import AiohttpRequest, AnswerLost, make_delivery_bot
from bot.delivery.worker import DeliveryWorker, lease_name
from kernel.clock import utcnow
from storage.db import Database
from storage.models import Delivery
from storage.models.notices import DeliveryStatus
from storage.queries.outbox.due import DueDelivery
from tests.bot.delivery.broadcasts import add_subscribers, copies, publish, rows
from tests.conftest import TOKEN
from tests.fakes import FakeBotApi

ROW = DueDelivery(
    id=1, notice_id=1, chat_id=42, attempts=0, first_error_at=None, language="en", blocked=False
)


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def hangs_up() -> AsyncIterator[tuple[str, list[bytes]]]:
    """An HTTP server on 127.0.0.1 that reads each request whole, then closes the connection
    without answering (a proxy or Telegram dropping it once the message was on its way); yields
    its base URL and the requests it read."""
    received: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        received.append(head + await reader.readexactly(length))
        writer.close()
        await writer.wait_closed()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}/bot", received


async def test_a_request_to_a_server_that_is_not_there_was_never_sent(
    fake_api: FakeBotApi,
) -> None:
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{closed_port()}/bot", request=AiohttpRequest(2))
    async with bot.request:
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(42, "hello")
    assert not isinstance(caught.value, AnswerLost)
    outcome = outcomes.classify(ROW, caught.value, parts_sent=0, now=utcnow())
    assert outcome.status is DeliveryStatus.RETRYING  # safe to send again


async def test_an_answer_later_than_the_read_timeout_is_an_answer_lost(
    fake_api: FakeBotApi,
) -> None:
    fake_api.slow("sendMessage", seconds=1.5, chat_id=42)
    bot = Bot(TOKEN, base_url=fake_api.base_url, request=AiohttpRequest(2, read_timeout=0.3))
    async with bot.request:
        with pytest.raises(AnswerLost, match="none within 0.3 s"):
            await bot.send_message(42, "hello")
    assert [c.ok for c in fake_api.calls("sendMessage", chat_id=42)] == [True]  # delivered
    outcome = outcomes.classify(ROW, AnswerLost("late"), parts_sent=0, now=utcnow())
    assert outcome.status is DeliveryStatus.UNKNOWN  # maybe delivered: not sent again


async def test_a_connection_dropped_once_the_request_was_read_is_an_answer_lost(
    hangs_up: tuple[str, list[bytes]],
) -> None:
    base_url, received = hangs_up
    bot = Bot(TOKEN, base_url=base_url, request=AiohttpRequest(2))
    async with bot.request:
        with pytest.raises(AnswerLost, match="aiohttp"):
            await bot.send_message(42, "hello")
    assert len(received) == 1 and b"sendMessage" in received[0] and b"hello" in received[0]


async def test_a_document_is_uploaded_as_multipart_and_its_bytes_arrive(
    fake_api: FakeBotApi,
) -> None:
    bot = Bot(TOKEN, base_url=fake_api.base_url, request=AiohttpRequest(2))
    async with bot.request:
        message = await bot.send_document(
            42, InputFile(b"%PDF-1.4 rules", filename="rules.pdf"), caption="規則"
        )
    assert message.document is not None
    assert fake_api.file_bytes(message.document.file_id) == b"%PDF-1.4 rules"
    (call,) = fake_api.calls("sendDocument", chat_id=42)
    assert call.params.get("caption") == "規則"


async def test_a_transport_shut_down_refuses_until_initialized_again(
    fake_api: FakeBotApi,
) -> None:
    request = AiohttpRequest(2)
    bot = Bot(TOKEN, base_url=fake_api.base_url, request=request)
    with pytest.raises(RuntimeError, match="not initialized"):
        await request.do_request(f"{fake_api.base_url}{TOKEN}/getMe", "POST")
    await request.initialize()
    await request.shutdown()
    await request.initialize()  # a worker restarted in the same process
    try:
        assert (await bot.get_me()).is_bot
    finally:
        await request.shutdown()


def test_the_delivery_bot_talks_to_the_configured_server() -> None:
    bot = make_delivery_bot(
        token=TOKEN,
        base_url="http://127.0.0.1:8081/bot",
        base_file_url="http://127.0.0.1:8081/file/bot",
        pool_size=8,
    )
    assert bot.base_url == f"http://127.0.0.1:8081/bot{TOKEN}"
    assert bot.base_file_url == f"http://127.0.0.1:8081/file/bot{TOKEN}"
    assert isinstance(bot.request, AiohttpRequest)


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
