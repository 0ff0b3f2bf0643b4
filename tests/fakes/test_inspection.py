"""Waits end as soon as what they wait for happens, and time out with the last calls dumped."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.fakes import FakeBotApi


def test_wait_for_times_out_with_a_dump_of_the_last_calls(
    fake: FakeBotApi, post: Callable[..., Any]
) -> None:
    status, body = post(f"{fake.base_url}{fake.token}/sendMessage", {"chat_id": 1, "text": "x"})
    assert status == 200 and body["result"]["text"] == "x"
    assert fake.wait_for("sendMessage", timeout=0.1)[0].params == {"chat_id": 1, "text": "x"}
    with pytest.raises(AssertionError, match=r"(?s)2 x sendMessage.*sendMessage chat=1 -> 200"):
        fake.wait_for("sendMessage", count=2, timeout=0.1)


async def test_wait_until_returns_when_the_condition_holds_not_at_the_ceiling(
    fake: FakeBotApi,
) -> None:
    flag: list[bool] = []
    asyncio.get_running_loop().call_later(0.1, flag.append, True)
    started = time.monotonic()
    await fake.async_wait_until(lambda: bool(flag), timeout=20)
    assert time.monotonic() - started < 10


async def test_wait_until_times_out_naming_what_it_waited_for(fake: FakeBotApi) -> None:
    with pytest.raises(AssertionError, match=r"(?s)after 0.1 s waiting until three documents"):
        await fake.async_wait_until(lambda: False, timeout=0.1, what="three documents")
