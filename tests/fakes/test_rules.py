"""Injected failures and Telegram's rate limits reach python-telegram-bot as Telegram's errors."""

from __future__ import annotations

import datetime as dtm

import pytest
from telegram import Bot
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from tests.fakes import FakeBotApi

USER = 4201


async def test_injected_429_raises_retry_after_with_its_seconds(
    bot: Bot, fake: FakeBotApi, timedelta_mode: None
) -> None:
    fake.fail("sendMessage", chat_id=USER, status=429, retry_after=3)
    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(USER, "hello")
    assert caught.value.retry_after == dtm.timedelta(seconds=3)
    await bot.send_message(USER, "hello")  # times=1: the next call goes through
    assert [c.status for c in fake.calls("sendMessage")] == [429, 200]
    assert fake.stats()["too_many_requests"] == 1


async def test_blocked_user_raises_forbidden_until_unblocked(bot: Bot, fake: FakeBotApi) -> None:
    fake.block(USER)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(USER, "hello")
    fake.unblock(USER)
    await bot.send_message(USER, "hello")
    assert fake.stats()["sent_by_chat"] == {USER: 1}


async def test_injected_errors_map_to_telegram_exceptions(bot: Bot, fake: FakeBotApi) -> None:
    fake.fail(status=400)
    with pytest.raises(BadRequest, match="(?i)chat not found"):
        await bot.send_message(USER, "hello")
    fake.fail(status=403, times=2)
    for _ in range(2):
        with pytest.raises(Forbidden):
            await bot.send_message(USER, "hello")
    fake.fail("getChat", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.get_chat(USER)
    assert (await bot.get_chat(USER)).first_name == "Test"


async def test_enforced_per_chat_limit_answers_429_and_does_not_deliver(
    timedelta_mode: None,
) -> None:
    with FakeBotApi(enforce_limits=True, per_chat_rate=1.0) as fake:
        async with Bot(fake.token, base_url=fake.base_url) as bot:
            await bot.send_message(USER, "one")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(USER, "two")
            await bot.send_message(USER + 1, "other chat is fine")
    assert caught.value.retry_after == dtm.timedelta(seconds=1)
    stats = fake.stats()
    assert stats["too_many_requests"] == 1
    assert stats["sent_by_chat"] == {USER: 1, USER + 1: 1}
    assert [m["text"] for m in fake.sent(USER)] == ["one"]
