"""BotHarness: the real application polling the fake Bot API, with conversation helpers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.application import MAIL_SENDER, build_application
from bot.delivery.service import stop_worker
from bot.edge.context import BotApplication
from bot.jobs.loops import stop_loops
from bot.settings import Settings
from kernel.clock import utcnow
from storage.db import Database
from storage.queries.outbox.due import count_due_deliveries
from tests.fakes import WAIT_CEILING, FakeBotApi


@dataclass
class BotHarness:
    """Start/stop the bot; `say` sends a message as a user and returns the bot's reply.

    Every wait ends as soon as what it waits for happens; its ceiling (WAIT_CEILING unless a
    test says otherwise) is only reached when it never does, so it is generous on purpose.
    """

    settings: Settings
    fake: FakeBotApi
    db: Database
    app: BotApplication | None = None
    languages: dict[int, str] = field(default_factory=dict)
    worker_running: bool = True
    """False after `quiet()`: nothing sends the outbox then, so `say` and `press` do not wait
    for it (and read nothing from the database that a test counting transactions would see)."""

    async def start(self) -> None:
        """Build the application on this database and start polling the fake."""
        self.worker_running = True
        self.app = build_application(self.settings, db=self.db)
        await self.app.initialize()
        if self.app.post_init:
            await self.app.post_init(self.app)
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0.0, timeout=1)

    async def stop(self) -> None:
        """Stop polling and shut the application down (post_shutdown included)."""
        if self.app is None:
            return
        assert self.app.updater is not None
        if self.app.updater.running:
            await self.app.updater.stop()
        if self.app.running:
            await self.app.stop()
        await self.app.shutdown()
        if self.app.post_shutdown:
            await self.app.post_shutdown(self.app)
        self.app = None

    async def quiet(self) -> None:
        """Stop the reminder loops, the delivery worker (its lease heartbeat writes) and the
        mail sender, so the database sees only what updates do."""
        assert self.app is not None
        await stop_loops(self.app)
        await stop_worker(self.app)
        if (sender := self.app.bot_data.pop(MAIL_SENDER, None)) is not None:
            await sender.stop()  # its look at the outbox is a write transaction
        self.worker_running = False

    async def settle(self) -> None:
        """Wait until every update is handled, then write the persistence as its interval
        would."""
        assert self.app is not None
        app = self.app
        await self.wait_until(
            lambda: (
                app.update_queue.empty() and app.update_processor.current_concurrent_updates == 0
            ),
            what="every update handled",
        )
        await app.update_persistence()

    async def restart(self) -> None:
        """Stop and start a new application on the same database (state must come from rows)."""
        await self.stop()
        self.db = Database(self.db.url)
        await self.start()

    def _sent_count(self, chat_id: int) -> int:
        return len(self.fake.sent(chat_id))

    async def say(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str = "zh-hant",
        replies: int = 1,
        timeout: float = WAIT_CEILING,
        **user: Any,
    ) -> str:
        """Send `text` as `user_id`; wait for `replies` new messages and return the last text
        (after the outbox has sent what was due, so its messages are not taken for replies)."""
        await self.outbox_sent()
        before = self._sent_count(user_id)
        self.fake.send_text(user_id, text, language_code=language_code, **user)
        return await self.wait_reply(user_id, before=before, count=replies, timeout=timeout)

    async def press(
        self,
        user_id: int,
        data: str,
        *,
        language_code: str = "zh-hant",
        timeout: float = WAIT_CEILING,
        replies: int = 1,
    ) -> str:
        """Press the inline button with callback `data`; return the text of the next message
        or edit the bot makes in that chat (after the outbox has sent what was due)."""
        await self.outbox_sent()
        before = self._sent_count(user_id)
        self.fake.press_button(user_id, data, language_code=language_code)
        return await self.wait_reply(user_id, before=before, count=replies, timeout=timeout)

    async def send_file(
        self,
        user_id: int,
        name: str,
        content: bytes,
        *,
        caption: str | None = None,
        mime_type: str | None = None,
        language_code: str = "zh-hant",
        replies: int = 1,
        timeout: float = WAIT_CEILING,
    ) -> str:
        """Send a file as `user_id` (a document, with an optional caption); wait for `replies`
        new messages and return the last text, like `say`."""
        await self.outbox_sent()
        before = self._sent_count(user_id)
        self.fake.send_document(
            user_id,
            name,
            content,
            mime_type,
            caption=caption,
            language_code=language_code,
        )
        return await self.wait_reply(user_id, before=before, count=replies, timeout=timeout)

    async def wait_reply(
        self, user_id: int, *, before: int, count: int = 1, timeout: float = WAIT_CEILING
    ) -> str:
        """Wait until the bot has sent or edited `count` messages in the chat since `before`;
        return the text of the last one."""
        await self.wait_until(
            lambda: self._sent_count(user_id) >= before + count,
            timeout=timeout,
            what=f"{count} new message(s) to chat {user_id}",
        )
        return self.fake.last_text(user_id)

    async def outbox_sent(self, *, timeout: float = WAIT_CEILING) -> None:
        """Wait until the delivery worker has sent every outbox row due now (news a test's
        set-up wrote, e.g. by acting on a case, arrives before the test's next step)."""
        if not self.worker_running:
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while await self.db.run(count_due_deliveries, now=utcnow()):
            if loop.time() > deadline:
                raise AssertionError(f"the outbox still had rows due after {timeout} s")
            await asyncio.sleep(0.02)

    async def wait_until(
        self, condition: Callable[[], bool], *, timeout: float = WAIT_CEILING, what: str = ""
    ) -> None:
        """Wait until `condition()` holds (the bot keeps running meanwhile); on timeout fail
        saying `what` was awaited, with the last calls to the fake."""
        await self.fake.async_wait_until(condition, timeout=timeout, what=what)
