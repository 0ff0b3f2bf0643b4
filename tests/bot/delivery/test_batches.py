"""Outcomes written in batches (`bot/delivery/batches.py`): several to a transaction, at once
when the dispatcher needs their slots or the worker stops, a long notice's progress acknowledged
once written, a chat that blocked the bot marked, and a failed write kept and tried again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.delivery.batches import Batches
from bot.delivery.setbacks import Setbacks
from bot.delivery.worker import DeliveryWorker
from kernel.clock import utcnow
from storage.db import Database
from storage.models import Person
from storage.models.notices import DeliveryStatus
from storage.queries.outbox import due
from storage.queries.outbox.results import DeliveryResult
from tests.bot.delivery.broadcasts import add_subscribers, publish, wait_done
from tests.fakes import FakeBotApi

LONG = 60.0
"""A batch's wait far longer than any test: a write seen within a few seconds was not timed."""


@dataclass
class Written:
    """What `on_written` was told, write by write."""

    results: list[list[int]] = field(default_factory=list)
    blocked: list[list[int]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def __call__(self, results: list[DeliveryResult], blocked: list[int]) -> None:
        self.results.append([r.id for r in results])
        self.blocked.append(blocked)
        self.changed.set()


@dataclass
class Running:
    batches: Batches
    written: Written
    stopping: asyncio.Event
    task: asyncio.Task[None]


@pytest.fixture
async def running(db: Database) -> AsyncIterator[Running]:
    """Batches writing to the test database, gathering each batch for a minute."""
    written = Written()
    batches = Batches(db, delay=LONG, setbacks=Setbacks("test"), on_written=written)
    stopping = asyncio.Event()
    task = asyncio.create_task(batches.run(stopping=stopping, sending=lambda: False))
    yield Running(batches, written, stopping, task)
    stopping.set()
    batches.have_results.set()
    await asyncio.wait_for(task, timeout=30)


def sent(row_id: int, parts: int = 1) -> DeliveryResult:
    now = utcnow()
    return DeliveryResult(
        id=row_id,
        status=DeliveryStatus.SENT,
        attempts=1,
        next_attempt_at=now,
        sent_at=now,
        parts_sent=parts,
    )


def open_rows(db: Database, chats: list[int], title: str = "Batched") -> dict[int, int]:
    """A notice to `chats`; chat → its row id."""
    add_subscribers(db, chats)
    publish(db, title)
    found = db.call(due.fetch_due_deliveries, now=utcnow(), limit=100)
    return {row.chat_id: row.id for row in found}


async def written_soon(written: Written, count: int) -> None:
    """Wait until `count` writes were made (well within a batch's minute)."""
    async with asyncio.timeout(LONG / 4):
        while len(written.results) < count:
            written.changed.clear()
            await written.changed.wait()


async def test_outcomes_held_together_are_written_in_one_transaction_when_a_slot_is_needed(
    db: Database, running: Running
) -> None:
    ids = open_rows(db, [6901, 6902, 6903])
    for row_id in ids.values():
        running.batches.hold(sent(row_id))
    await asyncio.sleep(0.2)
    assert running.written.results == []  # gathering: the batch waits for more
    running.batches.need_slot.set()  # the dispatcher waits for a slot: write now
    await written_soon(running.written, 1)
    assert running.written.results == [sorted(ids.values())]
    assert db.call(due.fetch_due_deliveries, now=utcnow(), limit=100) == []
    assert not running.batches.pending()


async def test_a_long_notices_progress_returns_once_written(
    db: Database, running: Running
) -> None:
    ids = open_rows(db, [6904])
    running.batches.need_slot.set()
    await asyncio.wait_for(running.batches.progress_written(ids[6904], 2), timeout=LONG / 4)
    (row,) = db.call(due.fetch_due_deliveries, now=utcnow(), limit=100)
    assert row.parts_sent == 2  # still open, two of its messages delivered


async def test_a_chat_that_blocked_the_bot_is_marked_with_the_outcome(
    db: Database, running: Running
) -> None:
    ids = open_rows(db, [6905])
    blocked = DeliveryResult(
        id=ids[6905], status=DeliveryStatus.BLOCKED, attempts=1, next_attempt_at=utcnow()
    )
    running.batches.hold(blocked, blocked_chat=6905)
    running.batches.need_slot.set()
    await written_soon(running.written, 1)
    assert running.written.blocked == [[6905]]
    with db.transaction() as session:
        person = session.exec(select(Person).where(Person.telegram_id == 6905)).one()
    assert person.blocked


async def test_a_stopping_worker_writes_what_it_holds_without_waiting(
    db: Database, running: Running
) -> None:
    ids = open_rows(db, [6906])
    running.batches.hold(sent(ids[6906]))
    running.stopping.set()
    running.batches.have_results.set()
    await asyncio.wait_for(running.task, timeout=LONG / 4)  # run() returns, nothing left
    assert running.written.results == [[ids[6906]]]


async def test_a_failed_write_keeps_the_batch_and_pauses_until_a_write_works(
    db: Database, tmp_path: Path
) -> None:
    ids = open_rows(db, [6907, 6908])
    setbacks = Setbacks("test")
    written = Written()
    away = Database(f"sqlite:///{tmp_path / 'unmigrated.sqlite3'}")  # no tables: writes fail
    batches = Batches(away, delay=LONG, setbacks=setbacks, on_written=written)
    batches.hold(sent(ids[6907]))
    try:
        assert not await batches.flush()
    finally:
        away.dispose()
    assert setbacks.paused and "no such table" in setbacks.reason
    assert batches.pending() and written.results == []
    batches.hold(sent(ids[6908]), blocked_chat=None)
    batches.db = db  # the database is back
    assert await batches.flush()
    assert written.results == [[ids[6907], ids[6908]]]  # the kept outcome first
    assert not setbacks.paused and not batches.pending()
    assert db.call(due.fetch_due_deliveries, now=utcnow(), limit=100) == []


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
