"""MAIL_RATE: the sender never goes faster than the rate plus one second's catch-up."""

from __future__ import annotations

import time

from bot.mail.sender import Pacer


async def test_the_pacer_holds_sends_to_the_rate() -> None:
    pacer = Pacer(200)
    started = time.monotonic()
    for _ in range(300):
        await pacer.wait()
    # 300 sends at 200 a second, 200 of them allowed at once as catch-up: at least 0.5 s
    assert time.monotonic() - started >= (300 - 200 - 1) / 200


async def test_the_first_second_is_paced_too_not_a_burst() -> None:
    pacer = Pacer(100)
    started = time.monotonic()
    for _ in range(51):
        await pacer.wait()
    assert time.monotonic() - started >= 0.49  # 50 gaps of 10 ms after the first send


async def test_no_rate_means_no_wait() -> None:
    pacer = Pacer(0)
    started = time.monotonic()
    for _ in range(10_000):
        await pacer.wait()
    assert time.monotonic() - started < 1.0
