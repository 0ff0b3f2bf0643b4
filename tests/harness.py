"""BotHarness: the real application polling the fake Bot API, with conversation helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.application import build_application
from bot.edge.context import BotApplication
from bot.settings import Settings
from storage.db import Database
from tests.fakes import FakeBotApi


@dataclass
class BotHarness:
    """Start/stop the bot; `say` sends a message as a user and returns the bot's reply."""

    settings: Settings
    fake: FakeBotApi
    db: Database
    app: BotApplication | None = None
    languages: dict[int, str] = field(default_factory=dict)

    async def start(self) -> None:
        self.app = build_application(self.settings, db=self.db)
        await self.app.initialize()
        if self.app.post_init:
            await self.app.post_init(self.app)
        await self.app.start()
        assert self.app.updater is not None
        await self.app.updater.start_polling(poll_interval=0.0, timeout=1)

    async def stop(self) -> None:
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
        timeout: float = 5.0,
        **user: Any,
    ) -> str:
        """Send `text` as `user_id`; wait for `replies` new messages and return the last text."""
        before = self._sent_count(user_id)
        self.fake.send_text(user_id, text, language_code=language_code, **user)
        return await self.wait_reply(user_id, before=before, count=replies, timeout=timeout)

    async def press(
        self,
        user_id: int,
        data: str,
        *,
        language_code: str = "zh-hant",
        timeout: float = 5.0,
        replies: int = 1,
    ) -> str:
        """Press the inline button with callback `data`; return the text of the next message
        or edit the bot makes in that chat."""
        before = self._sent_count(user_id)
        self.fake.press_button(user_id, data, language_code=language_code)
        return await self.wait_reply(user_id, before=before, count=replies, timeout=timeout)

    async def wait_reply(
        self, user_id: int, *, before: int, count: int = 1, timeout: float = 5.0
    ) -> str:
        await self.fake.async_wait_for(
            lambda _call: self._sent_count(user_id) >= before + count, timeout=timeout
        )
        return self.fake.last_text(user_id)
