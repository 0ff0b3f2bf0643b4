"""The delivery worker: drains the notice outbox to Telegram, paced, resumable, one per token.

One worker per bot token holds a database lease (`workerlease` row with a heartbeat), so a
second instance waits instead of double-sending. It keeps several sends in flight, paces them to
BROADCAST_RATE overall and at most one message a second per chat, and writes outcomes in small
batches. A row is marked `sent` only after Telegram accepted the message, and a send's in-flight
slot is freed only once its outcome is written: after a crash, the only rows that can be sent
twice are the ones that were in flight. Each part of a long notice is recorded once accepted,
before the next goes, so a restart resumes at the first part not yet accepted. A send whose
answer never came back is `unknown` and not sent again (`outcomes.py`). A 429 holds every send,
to every chat, for its `retry_after`: Telegram's flood wait is the bot's.

Nothing stops it for good but `stop()` or a lost lease: an error (the database locked past its
busy timeout, a PostgreSQL restart, a bug in a query) pauses it. `setbacks.py` logs the pause
once, each failing part retries with backoff, and the pause is recorded for `notice status` and
`/notices` (`deliverypause`) until the worker delivers again. It sends nothing once its lease
may have run out unrenewed, so a second worker taking over cannot double-send.

What an answer from Telegram means for a row is decided in `outcomes.py` (pure); the HTTP
transport is `transport.py`; `python -m bot.delivery` (or `bsmi-desk notice worker`) runs a
worker on its own, `service.py` inside `bsmi-desk run`; the pace is `pacing.py`, a notice as sent
is `prepared.py`, the pause `setbacks.py`. The rest stays in this one module of about 580 lines
because the dispatcher, the sends, the batch writer and the supervisor share one object's
in-flight bookkeeping (queued rows, busy chats, freed slots, parts awaiting their write).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import threading
import uuid
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session
from telegram import Bot, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.delivery import outcomes
from bot.delivery.composers import WANTED
from bot.delivery.outcomes import Outcome
from bot.delivery.pacing import Pacer
from bot.delivery.prepared import Prepared, load_notice
from bot.delivery.setbacks import Setbacks, backoff, describe
from bot.delivery.transport import make_delivery_bot
from bot.edge.keyboards import keyboard
from bot.notices.publishing import release_due_notices
from bot.settings import Settings
from kernel.clock import utcnow
from storage.db import Database
from storage.models.notices import URGENT, DeliveryStatus
from storage.queries import notices as q
from storage.queries import outbox

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
DEFAULT_LEASE = timedelta(seconds=90)
"""Renewed every 30 s (a third), so an idle bot's database hears from it rarely; a clean stop
frees it at once, a crashed worker's is taken over after it runs out."""
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


def lease_name(token: str) -> str:
    """The lease is per bot: the numeric bot id before the token's colon (not the secret)."""
    return f"delivery:{token.split(':', 1)[0]}"


class LeaseUnconfirmed(Exception):
    """The lease was not renewed in time: another worker may take over, so nothing is sent."""


@dataclass(frozen=True)
class Look:
    released: list[tuple[int, int]]
    rows: list[outbox.DueDelivery]
    next_due: datetime | None
    lease_held: bool | None = None
    """Whether the lease was renewed (None: not asked)."""


def _look_at_outbox(
    session: Session, *, now: datetime, limit: int, lease: tuple[str, str, timedelta] | None
) -> Look:
    """Renew the lease (when asked), release the notices due, fetch up to `limit` due rows
    (urgent first), and the time the next row or scheduled notice falls due, in one
    transaction."""
    held = None
    if lease is not None:
        name, owner, length = lease
        held = outbox.acquire_lease(session=session, name=name, owner=owner, now=now, lease=length)
        if not held:
            return Look([], [], None, held)
    released = release_due_notices(session=session, now=now)
    rows = outbox.fetch_due_deliveries(session=session, now=now, limit=limit) if limit else []
    return Look(released, rows, outbox.fetch_next_due_at(session=session, now=now), held)


def _write_outcomes(
    session: Session,
    *,
    results: list[outbox.DeliveryResult],
    progress: list[tuple[int, int]],
    blocked_chats: list[int],
    now: datetime,
) -> None:
    outbox.record_parts_sent(session=session, progress=progress)
    outbox.record_delivery_results(session=session, results=results)
    for chat_id in blocked_chats:
        outbox.mark_chat_blocked(session=session, chat_id=chat_id, now=now)


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
        self.settings = settings or Settings.model_construct(
            default_language="en" if default_language == "en" else "zh-TW"
        )
        """What composed messages need: the branch's contact line, the default language."""
        self.bot = bot
        self.rate = rate
        self.lock_name = lock_name
        self.default_language = default_language
        self.lease = lease
        self.max_in_flight = max_in_flight or in_flight_for(rate)
        self.flush_interval = flush_interval
        self.batch_delay = batch_delay_for(rate, flush_interval)
        self.poll_interval = poll_interval
        self.per_chat_interval = per_chat_interval
        self.owner = uuid.uuid4().hex
        self.pacer = Pacer(rate)
        self.holding = False
        self.setbacks = Setbacks("delivery", secret=bot.token)
        self._pause_recorded: tuple[object, str] | None = None  # (since, reason) written
        self._lease_until = 0.0  # loop time until which the lease is surely ours
        self._record_again_at = 0.0  # loop time before which a failed pause write is not retried
        self._failure: BaseException | None = None  # from a send task, for the dispatcher
        self._progress: list[tuple[int, int, asyncio.Future[None]]] = []
        self._stopping = asyncio.Event()
        self._queue: deque[outbox.DueDelivery] = deque()
        self._known: set[int] = set()  # queued, in flight, or waiting for their outcome's write
        self._active_chats: set[int] = set()
        self._chat_ready: dict[int, float] = {}
        self._in_flight = 0
        self._slot_ids: set[int] = set()
        self._slot_freed = asyncio.Event()  # outcomes written: slots and chats may be free
        self._have_results = asyncio.Event()  # outcomes wait to be written
        self._need_slot = asyncio.Event()  # the sender waits for a slot: write now
        self._results: list[outbox.DeliveryResult] = []
        self._blocked: list[int] = []
        self._notices: dict[int, asyncio.Future[Prepared | None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._runner: asyncio.Task[None] | None = None
        self._woken = False  # rows were written: look at the outbox now
        self._retry_at = math.inf  # loop time a row this worker put off falls due again
        self._loop: asyncio.AbstractEventLoop | None = None
        self.sent_count = 0

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
        self._have_results.set()

    async def stop(self) -> None:
        """Stop taking rows, let sends in flight finish, write their outcomes, free the lease."""
        self.request_stop()
        if self._runner is not None:
            await self._runner
            self._runner = None

    async def run(self) -> None:
        """Wait for the lease, then deliver until stopped; an error pauses, never ends it."""
        loop = asyncio.get_running_loop()
        self._loop = loop
        self.db.on_outbox_commit.append(self._woken_from_thread)
        stop_listening = threading.Event()
        listener = None
        if self.db.backend == "postgresql":  # rows written by other processes wake it too
            listener = asyncio.ensure_future(
                asyncio.to_thread(
                    self.db.listen, outbox.NOTIFY_CHANNEL, self._woken_from_thread, stop_listening
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
                if await self._renew():
                    break
                logger.info("another delivery worker holds %s; waiting", self.lock_name)
                delay = self.lease.total_seconds() / 3
            except Exception as exc:
                delay = self.setbacks.failed("lease", exc)
            await self._sleep(delay)
        if self._stopping.is_set():
            return
        self.setbacks.succeeded("lease")
        logger.info("delivery worker %s holds %s", self.owner[:8], self.lock_name)
        heartbeat = loop.create_task(self._heartbeat())
        flusher = loop.create_task(self._flusher())
        try:
            await self._supervise()
        finally:
            if self._tasks:
                await asyncio.gather(*self._tasks, return_exceptions=True)
            self.request_stop()
            await flusher
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            await self._flush()
            if self.holding:
                try:
                    await self.db.run(self._let_go)
                except Exception as exc:  # it runs out by itself; a successor waits for that
                    logger.warning("could not free the delivery lease: %s", exc)
                self.holding = False

    def _let_go(self, session: Session) -> None:
        outbox.clear_pause(session=session, name=self.lock_name, owner=self.owner)
        outbox.release_lease(session=session, name=self.lock_name, owner=self.owner)

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
        state = (since, self.setbacks.reason) if since is not None else None
        loop = asyncio.get_running_loop()
        if state == self._pause_recorded:
            return
        if state is not None and loop.time() < self._record_again_at:
            return  # it failed a moment ago (its end is written as soon as it comes)
        try:
            if state is None:
                await self.db.run(outbox.clear_pause, name=self.lock_name, owner=self.owner)
            else:
                await self.db.run(
                    outbox.record_pause,
                    name=self.lock_name,
                    owner=self.owner,
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

    async def _renew(self) -> bool:
        started = asyncio.get_running_loop().time()
        self.holding = await self.db.run(
            outbox.acquire_lease,
            name=self.lock_name,
            owner=self.owner,
            now=utcnow(),
            lease=self.lease,
        )
        if self.holding:
            self._lease_until = started + self.lease.total_seconds()
        return self.holding

    def _lease_confirmed(self) -> bool:
        """Whether the lease is surely ours for a while yet: renewed every third of its length,
        a renewal may take up to half of it before sending stops."""
        margin = self.lease.total_seconds() / 6
        return asyncio.get_running_loop().time() < self._lease_until - margin

    async def _heartbeat(self) -> None:
        """Renew the lease a third of its length apart, sooner after a failed renewal (and not
        at all while the dispatcher's looks at the outbox renew it on their way)."""
        loop = asyncio.get_running_loop()
        interval = self.lease.total_seconds() / 3
        delay = interval
        while True:
            await asyncio.sleep(delay)
            renewed_ago = loop.time() - (self._lease_until - self.lease.total_seconds())
            if renewed_ago < 1.5 * interval:  # the looks renew it (every 30 s while idle)
                delay = 1.5 * interval - renewed_ago
                continue
            try:
                if not await self._renew():
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
        (a row written, the next row or scheduled notice due, a written outcome, a chat's pause
        ending), and otherwise looks at the outbox only every `idle_poll` seconds."""
        loop = asyncio.get_running_loop()
        next_look = loop.time()
        while not self._stopping.is_set():
            self._slot_freed.clear()
            if self._failure is not None:  # a send could not even start (e.g. load its notice)
                failure, self._failure = self._failure, None
                raise failure
            now = loop.time()
            woken, self._woken = self._woken, False
            if woken or now >= self._retry_at:
                next_look = now
                self._retry_at = math.inf
            if now >= next_look:
                fill = len(self._queue) < self.max_in_flight or woken
                due_in = await self._look(fill=fill)
                await self._succeeded("dispatch")  # released and looked at the outbox
                idle = not self._queue and not self._known
                if idle:
                    wait = self.idle_poll
                elif fill:
                    wait = self.poll_interval
                else:  # plenty queued: look again for notices due, not for rows
                    wait = RELEASE_INTERVAL
                next_look = loop.time() + min(wait, due_in)
            if self._in_flight >= self.max_in_flight:
                self._need_slot.set()  # the flusher writes what it holds at once
                await self._wait_event(self._slot_freed, max(0.0, next_look - loop.time()))
                continue
            now = loop.time()
            row, ready_at = self._next_ready(now)
            if row is None:
                wake = min(next_look, ready_at, self._retry_at)
                await self._wait_event(self._slot_freed, max(0.0, wake - now))
                continue
            if not self._lease_confirmed():
                self._queue.appendleft(row)
                raise LeaseUnconfirmed("the delivery lease could not be renewed in time")
            await self.pacer.wait()
            self._start(row)

    async def _look(self, *, fill: bool) -> float:
        """One transaction: release the notices due, fetch due rows (when `fill`), and learn
        when the next row or scheduled notice falls due; returns the seconds until then."""
        self._forget_the_past()
        limit = len(self._known) + max(200, self.max_in_flight * 4) if fill else 0
        loop = asyncio.get_running_loop()
        started = loop.time()
        # renew the lease on the way when half its renewal interval has passed: an idle worker
        # then writes to the database once per look, not once more for its heartbeat
        renew = started - (self._lease_until - self.lease.total_seconds()) > (
            self.lease.total_seconds() / 6
        )
        look = await self.db.run(
            _look_at_outbox,
            now=utcnow(),
            limit=limit,
            lease=(self.lock_name, self.owner, self.lease) if renew else None,
        )
        if look.lease_held is False:
            logger.error("delivery lease %s was lost; stopping", self.lock_name)
            self.request_stop()
            return math.inf
        if look.lease_held:
            self._lease_until = started + self.lease.total_seconds()
            self.setbacks.succeeded("lease")  # (the dispatcher records the end of a pause)
        for notice_id, count in look.released:
            logger.info("released notice %s to %s recipients", notice_id, count)
        urgent: list[outbox.DueDelivery] = []
        for row in look.rows:
            if row.id in self._known:
                continue
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
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=seconds)

    def _forget_the_past(self) -> None:
        """Keep memory flat in a bot that runs for months: drop pacing marks that have passed
        and rendered notices once nothing is queued or in flight."""
        if len(self._chat_ready) > 10_000:
            now = asyncio.get_running_loop().time()
            self._chat_ready = {c: t for c, t in self._chat_ready.items() if t > now}
        if not self._known and not self._tasks:
            self._notices.clear()

    def _next_ready(self, now: float) -> tuple[outbox.DueDelivery | None, float]:
        """The first queued row whose chat may be sent to now; else None and the time the
        first paused chat may be (a chat busy with a send frees up when its outcome is written,
        which wakes the dispatcher anyway)."""
        ready_at = math.inf
        for _ in range(min(len(self._queue), 512)):
            row = self._queue.popleft()
            if row.chat_id not in self._active_chats:
                at = self._chat_ready.get(row.chat_id, 0)
                if at <= now:
                    return row, now
                ready_at = min(ready_at, at)
            self._queue.append(row)
        return None, ready_at

    def _start(self, row: outbox.DueDelivery) -> None:
        self._in_flight += 1
        self._slot_ids.add(row.id)
        self._active_chats.add(row.chat_id)
        task = asyncio.create_task(self._deliver(row))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _prepared(self, notice_id: int) -> Prepared | None:
        """The rendered notice, loaded once however many sends ask for it at the same time."""
        loading = self._notices.get(notice_id)
        if loading is None:
            loading = asyncio.ensure_future(
                self.db.run(load_notice, notice_id=notice_id, settings=self.settings)
            )
            self._notices[notice_id] = loading
        try:
            return await asyncio.shield(loading)
        except Exception:
            self._notices.pop(notice_id, None)
            raise

    async def _paced(self, chat_id: int, *, slot_taken: bool = False) -> None:
        """Wait for this chat's next turn and a slot of the overall rate (unless the dispatcher
        already waited for the slot of this send)."""
        loop = asyncio.get_running_loop()
        wait = self._chat_ready.get(chat_id, 0) - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        if not slot_taken or self.pacer.held():
            await self.pacer.wait()
        self._chat_ready[chat_id] = loop.time() + self.per_chat_interval

    async def _deliver(self, row: outbox.DueDelivery) -> None:
        try:
            try:
                notice = await self._prepared(row.notice_id)
                wanted = WANTED.get(notice.kind) if notice is not None else None
                if wanted is not None and not await self.db.run(wanted, chat_id=row.chat_id):
                    self._finish(row, outcomes.skipped(row, now=utcnow()))
                    return
            except Exception as exc:  # not tried: the row stays due, the dispatcher pauses
                self._untried(row)
                self._failure = exc
                self._slot_freed.set()
                return
            outcome = await self._attempt(row, notice)
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

    def _untried(self, row: outbox.DueDelivery) -> None:
        """Give back a row's slot without an outcome: the next look at the outbox finds it."""
        self._known.discard(row.id)
        if row.id in self._slot_ids:
            self._slot_ids.discard(row.id)
            self._in_flight -= 1

    async def _attempt(self, row: outbox.DueDelivery, notice: Prepared | None) -> Outcome:
        """Send the notice's parts the chat does not have yet, then its attachment, each part
        recorded before the next goes; what came of it is `outcomes.classify`'s to say."""
        if notice is None:
            return outcomes.notice_gone(row, now=utcnow())
        done = row.parts_sent  # messages of this notice the chat already has (from a retry)
        try:
            language = row.language if row.language in ("zh-TW", "en") else self.default_language
            parts = notice.parts(language)
            total = len(parts) + (1 if notice.attachment_name else 0)
            reserved = True  # the dispatcher waited for this send's slot of the overall rate
            for part in parts[done:]:
                await self._paced(row.chat_id, slot_taken=reserved)
                reserved = False
                await self.bot.send_message(
                    row.chat_id,
                    part.text,
                    parse_mode=ParseMode.HTML,
                    disable_notification=False,
                    reply_markup=keyboard(part),
                )
                done += 1
                if done < total:
                    await self._progress_written(row.id, done)
            if notice.attachment_name and done == len(parts):
                await self._send_attachment(row.chat_id, notice, slot_taken=reserved)
                done += 1
        except Exception as exc:  # a bug must not stop the whole broadcast either
            outcome = outcomes.classify(row, exc, parts_sent=done, now=utcnow())
            if outcome.unexpected:
                logger.exception("delivery %s failed unexpectedly", row.id)
            return outcome
        return outcomes.classify(row, None, parts_sent=done, now=utcnow())

    async def _send_attachment(
        self, chat_id: int, notice: Prepared, *, slot_taken: bool = False
    ) -> None:
        assert notice.attachment_name is not None
        if notice.attachment_file_id is None:
            async with notice.upload_lock:
                if notice.attachment_file_id is None:
                    if notice.attachment_content is None:
                        raise BadRequest("the attachment is missing")
                    await self._paced(chat_id, slot_taken=slot_taken)
                    message = await self.bot.send_document(
                        chat_id,
                        InputFile(notice.attachment_content, filename=notice.attachment_name),
                    )
                    assert message.document is not None
                    notice.attachment_file_id = message.document.file_id
                    notice.attachment_content = None
                    try:
                        await self.db.run(
                            q.save_attachment_file_id,
                            notice_id=notice.notice_id,
                            file_id=message.document.file_id,
                        )
                    except Exception as exc:  # delivered; this worker keeps the id in memory
                        logger.warning(
                            "could not save the file id of notice %s: %s",
                            notice.notice_id,
                            describe(exc),
                        )
                    return
        await self._paced(chat_id, slot_taken=slot_taken)
        await self.bot.send_document(chat_id, notice.attachment_file_id)

    async def _progress_written(self, row_id: int, parts: int) -> None:
        """Record that the chat has `parts` messages of the notice; returns once written."""
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._progress.append((row_id, parts, written))
        self._have_results.set()
        await written

    def _finish(self, row: outbox.DueDelivery, outcome: Outcome) -> None:
        """Hold the outcome for the next batch write (and look again when a row put off for a
        retry falls due)."""
        if outcome.status is DeliveryStatus.RETRYING:
            wait = (outcome.result.next_attempt_at - utcnow()).total_seconds()
            self._retry_at = min(self._retry_at, asyncio.get_running_loop().time() + wait)
        if outcome.blocks_chat:
            self._blocked.append(row.chat_id)
        self._results.append(outcome.result)
        self._have_results.set()

    async def _flusher(self) -> None:
        """Write outcomes in batches: it sleeps while there are none, then lets a batch gather
        for up to `batch_delay`, or writes at once when the dispatcher needs the slots."""
        failures = 0
        while not self._stopping.is_set() or self._tasks or self._results or self._progress:
            await self._have_results.wait()
            self._have_results.clear()
            if not self._results and not self._progress:
                continue
            if not self._stopping.is_set() and not self._need_slot.is_set():
                await self._wait_event(self._need_slot, self.batch_delay)
            self._need_slot.clear()
            if await self._flush():
                failures = 0
            else:  # the write failed: try again after a pause growing with each failure
                failures += 1
                await asyncio.sleep(backoff(failures))
                self._have_results.set()

    async def _flush(self) -> bool:
        """Write the outcomes and progress held so far; False if the write failed (they are
        kept for the next try)."""
        if not self._results and not self._progress:
            return True
        results, self._results = self._results, []
        blocked, self._blocked = self._blocked, []
        progress, self._progress = self._progress, []
        try:
            await self.db.run(
                _write_outcomes,
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
        for result in results:
            self._known.discard(result.id)
            if result.id in self._slot_ids:
                self._slot_ids.discard(result.id)
                self._in_flight -= 1
        if blocked:
            # open rows of a chat that just blocked the bot are closed in the database; drop them
            gone = set(blocked)
            dropped = [r for r in self._queue if r.chat_id in gone]
            self._queue = deque(r for r in self._queue if r.chat_id not in gone)
            self._known.difference_update(r.id for r in dropped)
        self._slot_freed.set()
        self.setbacks.succeeded("write")  # the dispatcher writes the end of a pause
        return True


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
