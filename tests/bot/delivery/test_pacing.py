"""bot/delivery/pacing.py: slots on schedule, a short stall caught up, no burst after a pause,
holds. The event loop is blocked on purpose (`time.sleep`) to make a wait wake late."""

from __future__ import annotations

import asyncio
import time

from bot.delivery.pacing import Pacer


async def test_late_wakes_do_not_slow_the_rate_below_the_one_asked_for() -> None:
    pacer = Pacer(100)  # a slot every 10 ms
    loop = asyncio.get_running_loop()
    started = loop.time()
    for slot in range(100):
        await pacer.wait()
        if slot % 4 == 0:
            time.sleep(0.03)  # noqa: ASYNC251 (the loop busy elsewhere: the next wait is late)
    elapsed = loop.time() - started
    # 100 slots on schedule take 0.99 s; pushing the schedule back by each late wake took 1.49 s
    # and more (25 spells of 30 ms busy, each 20 ms past its slot, and every timer's lateness)
    assert 0.98 <= elapsed < 1.2, elapsed


async def after_a_stall(pacer: Pacer, stall: float, slots: int) -> float:
    """Seconds `slots` slots take after the event loop was blocked `stall` seconds."""
    loop = asyncio.get_running_loop()
    await pacer.wait()
    time.sleep(stall)  # noqa: ASYNC251 (the loop blocked on purpose)
    started = loop.time()
    for _ in range(slots):
        await pacer.wait()
    return loop.time() - started


async def test_a_short_stall_is_caught_up() -> None:
    # 60 slots of 1 ms after losing 30 of them: about 30 ms, not 60
    assert await after_a_stall(Pacer(1000), 0.03, 60) < 0.05


async def test_after_a_long_pause_the_schedule_starts_afresh_without_a_burst() -> None:
    # 20 slots of 1 ms after 300 ms of nobody asking: 19 ms at least, not 50 ms of slots at once
    assert await after_a_stall(Pacer(1000), 0.3, 20) >= 0.0185


async def test_a_hold_gives_nobody_a_slot_until_it_ends() -> None:
    pacer = Pacer(1000)
    loop = asyncio.get_running_loop()
    await pacer.wait()
    pacer.hold(0.2)
    assert pacer.held()
    held_at = loop.time()
    await pacer.wait()
    assert loop.time() - held_at >= 0.2
    assert not pacer.held()
