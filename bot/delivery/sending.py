"""One row's send: its message loaded and rendered once for all the sends that ask for it at the
same time, each part paced (the overall rate, one a second per chat) and recorded before the next
goes, an attachment uploaded once and then sent by its file id. What came of it is
`outcomes.classify`'s to say."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.delivery import outcomes
from bot.delivery.batches import Batches
from bot.delivery.outcomes import Outcome
from bot.delivery.pacing import Pacer
from bot.delivery.prepared import Prepared, load_notice
from bot.delivery.setbacks import describe
from bot.edge.keyboards import keyboard
from bot.settings import Settings
from kernel.clock import utcnow
from storage.db import Database
from storage.queries import notices as q
from storage.queries.outbox.due import DueDelivery

logger = logging.getLogger(__name__)

FORGET_CHATS_PAST = 10_000
"""Pacing marks kept before the ones already passed are dropped (memory stays flat)."""


class Sender:
    """Sends rows through `bot`, paced by `pacer` and `per_chat_interval` seconds per chat."""

    def __init__(
        self,
        *,
        db: Database,
        bot: Bot,
        pacer: Pacer,
        batches: Batches,
        settings: Settings,
        default_language: str,
        per_chat_interval: float,
    ) -> None:
        self.db = db
        self.bot = bot
        self.pacer = pacer
        self.batches = batches
        self.settings = settings
        self.default_language = default_language
        self.per_chat_interval = per_chat_interval
        self.chat_ready: dict[int, float] = {}  # loop time a chat may be sent to again
        self._notices: dict[int, asyncio.Future[Prepared | None]] = {}

    def forget_the_past(self, *, idle: bool) -> None:
        """Keep memory flat in a bot that runs for months: drop pacing marks that have passed
        and, when nothing is queued or in flight (`idle`), the rendered messages."""
        if len(self.chat_ready) > FORGET_CHATS_PAST:
            now = asyncio.get_running_loop().time()
            self.chat_ready = {c: t for c, t in self.chat_ready.items() if t > now}
        if idle:
            self._notices.clear()

    async def prepared(self, notice_id: int) -> Prepared | None:
        """The rendered message, loaded once however many sends ask for it at the same time."""
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

    async def paced(self, chat_id: int, *, slot_taken: bool = False) -> None:
        """Wait for this chat's next turn and a slot of the overall rate (unless the dispatcher
        already waited for the slot of this send)."""
        loop = asyncio.get_running_loop()
        wait = self.chat_ready.get(chat_id, 0) - loop.time()
        if wait > 0:
            await asyncio.sleep(wait)
        if not slot_taken or self.pacer.held():
            await self.pacer.wait()
        self.chat_ready[chat_id] = loop.time() + self.per_chat_interval

    async def attempt(self, row: DueDelivery, notice: Prepared | None) -> Outcome:
        """Send the parts the chat does not have yet, then the attachment, each part recorded
        before the next goes."""
        if notice is None:
            return outcomes.notice_gone(row, now=utcnow())
        done = row.parts_sent  # messages of this notice the chat already has (from a retry)
        try:
            language = row.language if row.language in ("zh-TW", "en") else self.default_language
            parts = notice.parts(language)
            total = len(parts) + (1 if notice.attachment_name else 0)
            reserved = True  # the dispatcher waited for this send's slot of the overall rate
            for part in parts[done:]:
                await self.paced(row.chat_id, slot_taken=reserved)
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
                    await self.batches.progress_written(row.id, done)
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
                    await self.paced(chat_id, slot_taken=slot_taken)
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
        await self.paced(chat_id, slot_taken=slot_taken)
        await self.bot.send_document(chat_id, notice.attachment_file_id)
