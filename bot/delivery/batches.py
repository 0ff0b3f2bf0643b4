"""Outcomes written in batches: a send's outcome (and a long notice's progress) waits a moment
for others, so a broadcast commits once per batch rather than once per message, and is written
at once when the dispatcher needs the slots it holds. A failed write keeps the batch and tries
again with backoff."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session

from bot.delivery.setbacks import Setbacks, backoff
from kernel.clock import utcnow
from storage.db import Database
from storage.queries.outbox import results as results_q
from storage.queries.outbox.results import DeliveryResult


def write_outcomes(
    session: Session,
    *,
    results: list[DeliveryResult],
    progress: list[tuple[int, int]],
    blocked_chats: list[int],
    now: datetime,
) -> None:
    results_q.record_parts_sent(session=session, progress=progress)
    results_q.record_delivery_results(session=session, results=results)
    for chat_id in blocked_chats:
        results_q.mark_chat_blocked(session=session, chat_id=chat_id, now=now)


class Batches:
    """Outcomes and progress held for the next write; `run()` writes them until the worker
    stops and nothing is left, calling `on_written(results, blocked chats)` after each write."""

    def __init__(
        self,
        db: Database,
        *,
        delay: float,
        setbacks: Setbacks,
        on_written: Callable[[list[DeliveryResult], list[int]], None],
    ) -> None:
        self.db = db
        self.delay = delay
        self.setbacks = setbacks
        self.on_written = on_written
        self.have_results = asyncio.Event()  # outcomes wait to be written
        self.need_slot = asyncio.Event()  # the sender waits for a slot: write now
        self._results: list[DeliveryResult] = []
        self._blocked: list[int] = []
        self._progress: list[tuple[int, int, asyncio.Future[None]]] = []

    def hold(self, result: DeliveryResult, *, blocked_chat: int | None = None) -> None:
        """Hold an outcome for the next write (and the chat that blocked the bot, if it did)."""
        if blocked_chat is not None:
            self._blocked.append(blocked_chat)
        self._results.append(result)
        self.have_results.set()

    def pending(self) -> bool:
        return bool(self._results or self._progress)

    async def progress_written(self, row_id: int, parts: int) -> None:
        """Record that the chat has `parts` messages of the notice; returns once written."""
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._progress.append((row_id, parts, written))
        self.have_results.set()
        await written

    async def run(self, *, stopping: asyncio.Event, sending: Callable[[], bool]) -> None:
        """Write outcomes in batches: sleep while there are none, then let a batch gather for up
        to `delay`, or write at once when the dispatcher needs the slots; return once stopping
        with no send in flight (`sending`) and nothing left to write."""
        failures = 0
        while not stopping.is_set() or sending() or self.pending():
            await self.have_results.wait()
            self.have_results.clear()
            if not self.pending():
                continue
            if not stopping.is_set() and not self.need_slot.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.need_slot.wait(), timeout=self.delay)
            self.need_slot.clear()
            if await self.flush():
                failures = 0
            else:  # the write failed: try again after a pause growing with each failure
                failures += 1
                await asyncio.sleep(backoff(failures))
                self.have_results.set()

    async def flush(self) -> bool:
        """Write the outcomes and progress held so far; False if the write failed (they are
        kept for the next try)."""
        if not self.pending():
            return True
        results, self._results = self._results, []
        blocked, self._blocked = self._blocked, []
        progress, self._progress = self._progress, []
        try:
            await self.db.run(
                write_outcomes,
                results=results,
                progress=[(row_id, parts) for row_id, parts, _ in progress],
                blocked_chats=blocked,
                now=utcnow(),
            )
        except Exception as exc:
            self.setbacks.failed("write", exc)
            self._results = results + self._results
            self._blocked = blocked + self._blocked
            self._progress = progress + self._progress
            return False
        for _row_id, _parts, written in progress:
            if not written.done():
                written.set_result(None)
        self.on_written(results, blocked)
        self.setbacks.succeeded("write")  # the dispatcher writes the end of a pause
        return True
