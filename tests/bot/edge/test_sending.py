"""One rule for a message sent outside a conversation: 403 marks the person blocked."""

from __future__ import annotations

from telegram import Bot

from bot.edge.sending import Sent, send_or_mark_blocked
from storage.db import Database
from storage.queries.people import fetch_person_view
from tests.conftest import TOKEN
from tests.factories import person
from tests.fakes import FakeBotApi


async def test_a_message_telegram_takes_is_sent(db: Database, fake_api: FakeBotApi) -> None:
    person(db, 501)
    async with Bot(TOKEN, base_url=fake_api.base_url) as bot:
        assert await send_or_mark_blocked(bot, db, 501, "hello") == Sent.SENT
    assert fake_api.last_text(501) == "hello"
    view = db.call(fetch_person_view, telegram_id=501)
    assert view is not None and not view.blocked


async def test_a_person_who_blocked_the_bot_is_marked_blocked(
    db: Database, fake_api: FakeBotApi
) -> None:
    person(db, 502)
    fake_api.block(502)
    async with Bot(TOKEN, base_url=fake_api.base_url) as bot:
        assert await send_or_mark_blocked(bot, db, 502, "hello") == Sent.BLOCKED
    view = db.call(fetch_person_view, telegram_id=502)
    assert view is not None and view.blocked


async def test_any_other_refusal_is_a_failure_to_retry_and_blocks_nobody(
    db: Database, fake_api: FakeBotApi
) -> None:
    person(db, 503)
    fake_api.fail("sendMessage", chat_id=503, status=400, description="Bad Request: odd")
    async with Bot(TOKEN, base_url=fake_api.base_url) as bot:
        assert await send_or_mark_blocked(bot, db, 503, "hello") == Sent.FAILED
    view = db.call(fetch_person_view, telegram_id=503)
    assert view is not None and not view.blocked
