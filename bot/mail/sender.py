"""The mail sender: takes due e-mail rows from the outbox, sends them paced at MAIL_RATE over
one transport, and writes the outcomes. Rows are marked before sending (`outbox.take`), so a
restart never sends one twice; several senders may run on one PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.mail import outbox
from bot.mail.messages import DkimKey, Sender, signed_bytes
from bot.mail.outcomes import Answer, Attempt
from bot.mail.subscribing import purge_unconfirmed
from bot.mail.transport import DropTransport, SmtpTransport, Transport
from kernel.clock import utcnow
from storage.db import Database
from storage.queries import mail as q

logger = logging.getLogger(__name__)

BATCH = 50
IDLE = timedelta(seconds=60)
"""How often an idle sender looks: a commit in this process that wrote outbox rows wakes it at
once, so this only bounds how late an e-mail written by another process (the CLI) or a retry
goes, and keeps an idle sender's write transactions to one a minute (issue 19's idle budget)."""
PURGE_EVERY = timedelta(hours=1)


class Pacer:
    """At most `rate` sends a second on average (0: no limit), evenly spaced from the first;
    time lost between batches (the outbox's transactions) is made up within a second's
    worth."""

    CATCH_UP = 1.0

    def __init__(self, rate: float) -> None:
        self.gap = 1.0 / rate if rate > 0 else 0.0
        self.next_at: float | None = None

    async def wait(self) -> None:
        if not self.gap:
            return
        now = time.monotonic()
        if self.next_at is None:  # the first send: no catch-up for time before it
            self.next_at = now
        self.next_at = max(now - self.CATCH_UP, self.next_at)
        if self.next_at > now:
            await asyncio.sleep(self.next_at - now)
        self.next_at += self.gap


class MailSender:
    def __init__(
        self,
        db: Database,
        *,
        transport: Transport,
        sender: Sender,
        rate: float,
        dkim_key: DkimKey | None = None,
        batch: int = BATCH,
    ) -> None:
        self.db, self.transport, self.sender = db, transport, sender
        self.dkim_key, self.batch = dkim_key, batch
        self.pacer = Pacer(rate)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._purged_at = utcnow() - PURGE_EVERY
        self._loop: asyncio.AbstractEventLoop | None = None

    async def send_due(self) -> int:
        """Take one batch of due rows, send them, write their outcomes; how many were taken."""
        now = utcnow()
        taken = await self.db.run(outbox.take, now=now, limit=self.batch, sender=self.sender)
        done: list[tuple[q.TakenEmail, Attempt]] = []
        try:
            for item in taken:
                if item.message is None:
                    done.append((item.row, Attempt(Answer.DROPPED, None, item.why_not)))
                    continue
                await self.pacer.wait()
                data = signed_bytes(item.message, self.dkim_key)
                attempt = await self.transport.send(
                    sender=self.sender.envelope_from,
                    recipient=item.to,
                    data=data,
                    name=f"{item.row.id:08d}",
                )
                done.append((item.row, attempt))
        finally:
            untried = [(item.row, Attempt(Answer.UNTRIED)) for item in taken[len(done) :]]
            if done or untried:
                await self.db.run(outbox.record, done=done + untried, now=utcnow())
        return len(taken)

    async def run(self) -> None:
        """Send until cancelled; a failing turn is logged and retried after IDLE."""
        while True:
            try:
                if utcnow() - self._purged_at >= PURGE_EVERY:
                    await self.db.run(purge_unconfirmed, now=utcnow())
                    self._purged_at = utcnow()
                if await self.send_due():
                    continue
            except Exception:
                logger.exception("the mail sender's turn failed; it tries again")
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), IDLE.total_seconds())

    def wake(self) -> None:
        """Called from any thread after a commit that wrote outbox rows."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self.db.on_outbox_commit.append(self.wake)
        self._task = asyncio.create_task(self.run(), name="mail-sender")

    async def stop(self) -> None:
        if self.wake in self.db.on_outbox_commit:
            self.db.on_outbox_commit.remove(self.wake)
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.transport.close()


def sender_for(
    db: Database,
    *,
    smtp: dict[str, object] | None,
    drop_dir: Path,
    mail_from: str,
    base_url: str,
    tz: ZoneInfo,
    rate: float,
    dkim: tuple[str, str, Path] | None,
) -> MailSender:
    """A sender over the relay `smtp` (SMTP_URL's parts) or, without one, `.eml` files in
    `drop_dir`; DKIM-signed when `dkim` (domain, selector, key file) is given."""
    transport: Transport = (
        DropTransport(drop_dir) if smtp is None else SmtpTransport(**smtp)  # type: ignore[arg-type]
    )
    key = None
    if dkim is not None:
        domain, selector, key_file = dkim
        key = DkimKey(domain, selector, key_file.read_bytes())
    return MailSender(
        db,
        transport=transport,
        sender=Sender(mail_from=mail_from, base_url=base_url, tz=tz),
        rate=rate,
        dkim_key=key,
    )
