"""The worker's overall pace: send slots 1/rate apart, none for anybody while Telegram's flood
wait (a 429's `retry_after`) lasts."""

from __future__ import annotations

import asyncio
import math

SLACK = 0.05
"""Seconds the schedule may fall behind the clock and still be caught up."""


class Pacer:
    """Hands out send slots 1/rate apart on average, in the order they were asked for, and none
    while held (a 429's flood wait).

    Slots keep to their schedule: a wait that wakes late, or a caller kept a moment by other work
    on the event loop, does not push every later slot back, so the rate is the one asked for
    rather than a little less. Only `slack` is caught up (one slot at low rates, 50 ms of slots
    at high ones); after a longer pause, nobody asking, the schedule starts afresh, without a
    burst."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self.slack = max(self.interval, SLACK)
        self._next = 0.0
        self._asked_at = -math.inf  # when a slot was last asked for
        self._held_until = 0.0

    def hold(self, seconds: float) -> None:
        """No slot for anybody during the next `seconds`."""
        until = asyncio.get_running_loop().time() + seconds
        self._held_until = max(self._held_until, until)
        self._next = max(self._next, self._held_until)

    def held(self) -> bool:
        return asyncio.get_running_loop().time() < self._held_until

    async def wait(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            now = loop.time()
            behind = self.slack if now - self._asked_at <= self.slack else 0.0
            self._asked_at = now
            slot = max(self._next, now - behind)
            self._next = slot + self.interval
            if slot > now:
                await asyncio.sleep(slot - now)
            if not self.held():  # else a hold began while this slot waited: queue again
                return
