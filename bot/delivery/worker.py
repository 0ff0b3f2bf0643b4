"""The delivery worker: drains the notice outbox to Telegram, paced, resumable, one per token.

One worker per bot token holds a database lease (`lease.py`), so a second instance waits instead
of double-sending. It keeps several sends in flight (`sending.py`), paces them to BROADCAST_RATE
overall and at most one message a second per chat, and writes outcomes in small batches
(`batches.py`). A row is marked `sent` only after Telegram accepted the message, and a send's
in-flight slot is freed only once its outcome is written: after a crash, the only rows that can
be sent twice are the ones that were in flight. A send whose answer never came back is `unknown`
and not sent again (`outcomes.py`). A 429 holds every send, to every chat, for its
`retry_after`: Telegram's flood wait is the bot's.

Looks at the outbox (`look.py`) run beside the sends, so a broadcast never waits for one; a row
whose outcome was written while a look was reading is left out of that look's rows, as the look
may have read it before the write.

Nothing stops it for good but `stop()` or a lost lease: an error (the database locked past its
busy timeout, a PostgreSQL restart, a bug in a query) pauses it. `setbacks.py` logs the pause
once, each failing part retries with backoff, and the pause is recorded for `notice status` and
`/notices` (`deliverypause`) until the worker delivers again. It sends nothing once its lease
may have run out unrenewed, so a second worker taking over cannot double-send.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
from collections import deque
from datetime import timedelta

from telegram import Bot

from bot.delivery import outcomes
from bot.delivery.batches import Batches
from bot.delivery.composers import WANTED
from bot.delivery.lease import DEFAULT_LEASE, Lease, LeaseUnconfirmed, lease_name
from bot.delivery.look import look_at_outbox
from bot.delivery.outcomes import Outcome
from bot.delivery.pacing import Pacer
from bot.delivery.sending import Sender
from bot.delivery.setbacks import Setbacks
from bot.delivery.transport import make_delivery_bot
from bot.settings import Settings
from kernel.clock import utcnow
from storage.db import Database
from storage.models.notices import URGENT, DeliveryStatus
from storage.queries.outbox.due import DueDelivery
from storage.queries.outbox.enqueue import NOTIFY_CHANNEL
from storage.queries.outbox.leases import clear_pause, record_pause
from storage.queries.outbox.results import DeliveryResult

__all__ = ["DEFAULT_LEASE", "DeliveryWorker", "in_flight_for", "lease_name", "worker_for"]

logger = logging.getLogger(__name__)

PER_CHAT_INTERVAL = 1.0
IDLE_POLL = {"postgresql": 30.0}
"""With nothing to send, how often the outbox is looked at anyway. A row written by this
process wakes the worker at once (`Database.on_outbox_commit`), one written by another process
too on PostgreSQL (LISTEN/NOTIFY), and the worker knows when the next retry or scheduled notice
falls due; the look is a fallback. On SQLite another process cannot notify, so it looks every
second (a read of a local file, costing nobody else anything)."""
IDLE_POLL_SQLITE = 1.0
RELEASE_INTERVAL = 1.0
"""While plenty is queued, how often scheduled notices due are released."""
REFILL_AHEAD = 0.5
"""Rows are fetched again while the queue still holds this many seconds of sending."""
RECORD_RETRY = 5.0
"""After a failed write of the pause for status readers, the next try waits this long."""
BATCH_DELAY_MAX = 0.25
"""At low rates outcomes wait up to this long so they are written several to a transaction."""


def in_flight_for(rate: float) -> int:
    """Sends kept in flight: enough to cover ~150 ms answers plus the batch write at `rate`."""
    return max(8, min(256, math.ceil(rate * 0.3) + 4))


def batch_delay_for(rate: float, flush_interval: float) -> float:
    """How long an outcome may wait for others before it is written: about five sends' worth,
    between `flush_interval` and BATCH_DELAY_MAX (sooner whenever the sender needs its slot)."""
    return min(BATCH_DELAY_MAX, max(flush_interval, 5.0 / rate))


class DeliveryWorker:
    """Drains the outbox while it holds the lease; `run()` until `stop()`."""

    def __init__(
        self,
        *,
        db: Database,
        bot: Bot,
        rate: float,
        lock_name: str,
        default_language: str = "zh-TW",
        lease: timedelta = DEFAULT_LEASE,
        max_in_flight: int | None = None,
        flush_interval: float = 0.05,
        poll_interval: float = 0.25,
        per_chat_interval: float = PER_CHAT_INTERVAL,
        settings: Settings | None = None,
        idle_poll: float | None = None,
    ) -> None:
        self.db = db
        self.idle_poll = idle_poll or IDLE_POLL.get(db.backend, IDLE_POLL_SQLITE)
        self.bot = bot
        self.rate = rate
        self.lock_name = lock_name
        self.lease = Lease(lock_name, lease)
        self.max_in_flight = max_in_flight or in_flight_for(rate)
        self.refill_below = max(self.max_in_flight, math.ceil(rate * REFILL_AHEAD))
        self.poll_interval = poll_interval
        self.pacer = Pacer(rate)
        self.setbacks = Setbacks("delivery", secret=bot.token)
        self.batches = Batches(
            db,
            delay=batch_delay_for(rate, flush_interval),
            setbacks=self.setbacks,
            on_written=self._written,
        )
        self.sender = Sender(
            db=db,
            bot=bot,
            pacer=self.pacer,
            batches=self.batches,
            settings=settings
            or Settings.model_construct(
                default_language="en" if default_language == "en" else "zh-TW"
            ),
            default_language=default_language,
            per_chat_interval=per_chat_interval,
        )
        self._pause_recorded: tuple[object, str] | None = None  # (since, reason) written
        self._record_again_at = 0.0  # loop time before which a failed pause write is not retried
        self._failure: BaseException | None = None  # from a send task, for the dispatcher
        self._stopping = asyncio.Event()
        self._queue: deque[DueDelivery] = deque()
        self._known: set[int] = set()  # queued, in flight, or waiting for their outcome's write
        self._active_chats: set[int] = set()
        self._in_flight = 0
        self._slot_ids: set[int] = set()
        self._slot_freed = asyncio.Event()  # outcomes written, a look done: something may go
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._looking: asyncio.Future[float] | None = None  # a look at the outbox under way
        self._written_while_looking: set[int] = set()  # rows a look under way may read stale
        self._blocked_while_looking: set[int] = set()  # chats likewise
        self._woken = False  # rows were written: look at the outbox now
        self._retry_at = math.inf  # loop time a row this worker put off falls due again
        self._loop: asyncio.AbstractEventLoop | None = None
        self.sent_count = 0

    @property
    def holding(self) -> bool:
        return self.lease.held

    def wake(self) -> None:
        """Rows were written (or are due): look at the outbox at once. Call it from the loop;
        `_woken_from_thread` is what the database calls after a commit in a worker thread."""
        self._woken = True
        self._slot_freed.set()

    def _woken_from_thread(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.wake)

    def start(self) -> None:
        """Run in the background of the current event loop."""
        self._runner = asyncio.create_task(self.run(), name="delivery-worker")

    def request_stop(self) -> None:
        """Stop taking rows (and wake whatever waits, so stopping takes no extra second)."""
        self._stopping.set()
        self._slot_freed.set()
        self.batches.have_results.set()

    async def stop(self) -> None:
        """Stop taking rows, let sends in flight finish, write their outcomes, free the lease."""
        self.request_stop()
        if self._runner is not None:
            await self._runner
            self._runner = None

    async def run(self) -> None:
        """Wait for the lease, then deliver until stopped; an error pauses, never ends it."""
        self._loop = asyncio.get_running_loop()
        self.db.on_outbox_commit.append(self._woken_from_thread)
        stop_listening = threading.Event()
        listener = None
        if self.db.backend == "postgresql":  # rows written by other processes wake it too
            listener = asyncio.ensure_future(
                asyncio.to_thread(
                    self.db.listen, NOTIFY_CHANNEL, self._woken_from_thread, stop_listening
                )
            )
        try:
            await self._run()
        finally:
            self.db.on_outbox_commit.remove(self._woken_from_thread)
            stop_listening.set()
            if listener is not None:
                await listener

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while not self._stopping.is_set():
            try:
                if await self.lease.renew(self.db):
                    break
                logger.info("another delivery worker holds %s; waiting", self.lock_name)
                delay = self.lease.seconds / 3
            except Exception as exc:
                delay = self.setbacks.failed("lease", exc)
            await self._sleep(delay)
        if self._stopping.is_set():
            return
        self.setbacks.succeeded("lease")
        logger.info("delivery worker %s holds %s", self.lease.owner[:8], self.lock_name)
        heartbeat = loop.create_task(self._heartbeat())
        flusher = loop.create_task(
            self.batches.run(stopping=self._stopping, sending=lambda: bool(self._tasks))
        )
        try:
            await self._supervise()
        finally:
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            if self._looking is not None:
                with contextlib.suppress(Exception):
                    await self._looking
                self._looking = None
            self.request_stop()
            await flusher
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            await self.batches.flush()
            if self.lease.held:
                try:
                    await self.db.run(self.lease.let_go)
                except Exception as exc:  # it runs out by itself; a successor waits for that
                    logger.warning("could not free the delivery lease: %s", exc)
                self.lease.held = False

    async def _supervise(self) -> None:
        """Run the dispatcher; on any error, pause (logged once, recorded), back off, go on."""
        while not self._stopping.is_set():
            try:
                await self._dispatch()
            except Exception as exc:
                delay = self.setbacks.failed("dispatch", exc)
                await self._record_pause()
                await self._sleep(delay)

    async def _record_pause(self) -> None:
        """Write the pause (or its end) for `notice status` when it changed; best effort: while
        the database is down nobody can read it either."""
        since = self.setbacks.since  # set while paused
        state = (
            (since, self.setbacks.reason) if self.setbacks.paused and since is not None else None
        )
        loop = asyncio.get_running_loop()
        if state == self._pause_recorded:
            return
        if state is not None and loop.time() < self._record_again_at:
            return  # it failed a moment ago (its end is written as soon as it comes)
        name, owner = self.lease.name, self.lease.owner
        try:
            if state is None:
                await self.db.run(clear_pause, name=name, owner=owner)
            else:
                await self.db.run(
                    record_pause,
                    name=name,
                    owner=owner,
                    since=state[0],
                    reason=state[1],
                )
        except Exception as exc:
            logger.debug("could not record the delivery pause: %s", exc)
            self._record_again_at = loop.time() + RECORD_RETRY
            return
        self._pause_recorded = state

    async def _succeeded(self, part: str) -> None:
        self.setbacks.succeeded(part)
        await self._record_pause()  # a database write only when the pause began, changed or ended

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def _heartbeat(self) -> None:
        """Renew the lease a third of its length apart, sooner after a failed renewal (and not
        at all while the dispatcher's looks at the outbox renew it on their way)."""
        loop = asyncio.get_running_loop()
        interval = self.lease.seconds / 3
        delay = interval
        while True:
            await asyncio.sleep(delay)
            renewed_ago = self.lease.renewed_ago(loop.time())
            if renewed_ago < 1.5 * interval:  # the looks renew it (every 30 s while idle)
                delay = 1.5 * interval - renewed_ago
                continue
            try:
                if not await self.lease.renew(self.db):
                    logger.error("delivery lease %s was lost; stopping", self.lock_name)
                    self.request_stop()
                    return
            except Exception as exc:
                delay = min(interval, self.setbacks.failed("lease", exc))
                continue
            delay = interval
            await self._succeeded("lease")

    async def _dispatch(self) -> None:
        """Hand rows to sends, each at its pacing slot. It sleeps until something can change
        (a row written, the next row or scheduled notice due, a written outcome, a look done, a
        chat's pause ending), and otherwise looks at the outbox only every `idle_poll` seconds;
        a look runs beside the sends."""
        loop = asyncio.get_running_loop()
        next_look = loop.time()
        filling = False
        while not self._stopping.is_set():
            self._slot_freed.clear()
            if self._failure is not None:  # a send could not even start (e.g. load its notice)
                failure, self._failure = self._failure, None
                raise failure
            if self._looking is not None and self._looking.done():
                looking, self._looking = self._looking, None
                due_in = looking.result()  # its error pauses the dispatcher
                await self._succeeded("dispatch")  # released and looked at the outbox
                next_look = loop.time() + min(self._next_look_in(filling=filling), due_in)
            now = loop.time()
            if self._looking is None:
                woken, self._woken = self._woken, False
                if woken or now >= self._retry_at:
                    next_look = now
                    self._retry_at = math.inf
                if now >= next_look:
                    filling = len(self._queue) < self.refill_below or woken
                    self._begin_look(fill=filling)
                    next_look = math.inf
            if self._in_flight >= self.max_in_flight:
                self.batches.need_slot.set()  # the batch writer writes what it holds at once
                await self._wait_event(self._slot_freed, max(0.0, next_look - loop.time()))
                continue
            row, ready_at = self._next_ready(now)
            if row is None:
                wake = min(next_look, ready_at, self._retry_at)
                await self._wait_event(self._slot_freed, max(0.0, wake - now))
                continue
            if not self.lease.confirmed(loop.time()):
                self._queue.appendleft(row)
                raise LeaseUnconfirmed("the delivery lease could not be renewed in time")
            await self.pacer.wait()
            self._start(row)

    def _next_look_in(self, *, filling: bool) -> float:
        """Seconds to the next look after one that just ended: the idle poll, the refill poll,
        or, with plenty queued, before the queue runs down to the refill mark."""
        if not self._queue and not self._known:
            return self.idle_poll
        if filling:
            return self.poll_interval
        return min(RELEASE_INTERVAL, (len(self._queue) - self.refill_below) / self.rate)

    def _begin_look(self, *, fill: bool) -> None:
        self._written_while_looking.clear()
        self._blocked_while_looking.clear()
        self._looking = asyncio.ensure_future(self._look(fill=fill))
        self._looking.add_done_callback(lambda _: self._slot_freed.set())

    async def _look(self, *, fill: bool) -> float:
        """One transaction: release the notices due, fetch due rows (when `fill`), and learn
        when the next row or scheduled notice falls due; returns the seconds until then."""
        self.sender.forget_the_past(idle=not self._known and not self._tasks)
        limit = len(self._known) + max(200, self.refill_below * 4) if fill else 0
        loop = asyncio.get_running_loop()
        started = loop.time()
        renew = self.lease.renew_on_look(started)
        look = await self.db.run(
            look_at_outbox,
            now=utcnow(),
            limit=limit,
            lease=(self.lease.name, self.lease.owner, self.lease.length) if renew else None,
        )
        if look.lease_held is False:
            logger.error("delivery lease %s was lost; stopping", self.lock_name)
            self.request_stop()
            return math.inf
        if look.lease_held:
            self.lease.renewed(started)
            self.setbacks.succeeded("lease")  # (the dispatcher records the end of a pause)
        for notice_id, count in look.released:
            logger.info("released notice %s to %s recipients", notice_id, count)
        urgent: list[DueDelivery] = []
        stale, gone = self._written_while_looking, self._blocked_while_looking
        for row in look.rows:
            if row.id in self._known or row.id in stale or row.chat_id in gone:
                continue  # in hand, or read before its outcome was written: the next look
            self._known.add(row.id)
            if row.blocked:
                self._finish(row, outcomes.chat_blocked(row, now=utcnow()))
            elif row.priority == URGENT:
                urgent.append(row)
            else:
                self._queue.append(row)
        # case news and reminders go before the broadcast copies already queued
        self._queue.extendleft(reversed(urgent))
        if look.released and not fill:
            return 0.0  # rows were just written: fetch them next
        if look.next_due is None:
            return math.inf
        return max(0.0, (look.next_due - utcnow()).total_seconds())

    async def _wait_event(self, event: asyncio.Event, seconds: float) -> None:
        if seconds == math.inf:  # a look under way sets the event when it ends
            await event.wait()
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=seconds)

    def _next_ready(self, now: float) -> tuple[DueDelivery | None, float]:
        """The first queued row whose chat may be sent to now; else None and the time the
        first paused chat may be (a chat busy with a send frees up when its outcome is written,
        which wakes the dispatcher anyway)."""
        ready_at = math.inf
        chat_ready = self.sender.chat_ready
        for _ in range(min(len(self._queue), 512)):
            row = self._queue.popleft()
            if row.chat_id not in self._active_chats:
                at = chat_ready.get(row.chat_id, 0)
                if at <= now:
                    return row, now
                ready_at = min(ready_at, at)
            self._queue.append(row)
        return None, ready_at

    def _start(self, row: DueDelivery) -> None:
        self._in_flight += 1
        self._slot_ids.add(row.id)
        self._active_chats.add(row.chat_id)
        task = asyncio.create_task(self._deliver(row))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, row: DueDelivery) -> None:
        try:
            try:
                notice = await self.sender.prepared(row.notice_id)
                wanted = WANTED.get(notice.kind) if notice is not None else None
                if wanted is not None and not await self.db.run(wanted, chat_id=row.chat_id):
                    self._finish(row, outcomes.skipped(row, now=utcnow()))
                    return
            except Exception as exc:  # not tried: the row stays due, the dispatcher pauses
                self._untried(row)
                self._failure = exc
                self._slot_freed.set()
                return
            outcome = await self.sender.attempt(row, notice)
            if outcome.pause_sending:
                logger.info(
                    "Telegram asked the bot to wait %g s; every send waits", outcome.pause_sending
                )
                self.pacer.hold(outcome.pause_sending)
            if outcome.status is DeliveryStatus.SENT:
                self.sent_count += 1
            self._finish(row, outcome)
        finally:
            self._active_chats.discard(row.chat_id)

    def _untried(self, row: DueDelivery) -> None:
        """Give back a row's slot without an outcome: the next look at the outbox finds it."""
        self._known.discard(row.id)
        if row.id in self._slot_ids:
            self._slot_ids.discard(row.id)
            self._in_flight -= 1

    def _finish(self, row: DueDelivery, outcome: Outcome) -> None:
        """Hold the outcome for the next batch write (and look again when a row put off for a
        retry falls due)."""
        if outcome.status is DeliveryStatus.RETRYING:
            wait = (outcome.result.next_attempt_at - utcnow()).total_seconds()
            self._retry_at = min(self._retry_at, asyncio.get_running_loop().time() + wait)
        self.batches.hold(
            outcome.result, blocked_chat=row.chat_id if outcome.blocks_chat else None
        )

    def _written(self, results: list[DeliveryResult], blocked: list[int]) -> None:
        """Outcomes were written: their slots are free, and a look under way may have read
        their rows before the write (they are left out of its rows)."""
        for result in results:
            self._known.discard(result.id)
            self._written_while_looking.add(result.id)
            if result.id in self._slot_ids:
                self._slot_ids.discard(result.id)
                self._in_flight -= 1
        if blocked:
            # open rows of a chat that just blocked the bot are closed in the database; drop them
            gone = set(blocked)
            self._blocked_while_looking.update(gone)
            dropped = [r for r in self._queue if r.chat_id in gone]
            self._queue = deque(r for r in self._queue if r.chat_id not in gone)
            self._known.difference_update(r.id for r in dropped)
        self._slot_freed.set()


def worker_for(
    *,
    db: Database,
    token: str,
    base_url: str | None,
    base_file_url: str | None,
    rate: float,
    default_language: str,
    lease: timedelta = DEFAULT_LEASE,
    settings: Settings | None = None,
) -> DeliveryWorker:
    """A worker with its own Bot for this token (`settings` sign news to a reporter)."""
    in_flight = in_flight_for(rate)
    bot = make_delivery_bot(
        token=token, base_url=base_url, base_file_url=base_file_url, pool_size=in_flight + 8
    )
    return DeliveryWorker(
        db=db,
        bot=bot,
        rate=rate,
        lock_name=lease_name(token),
        default_language=default_language,
        lease=lease,
        max_in_flight=in_flight,
        settings=settings,
    )
