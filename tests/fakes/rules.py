"""Failure injection (`fail`, `slow`, `block`) and Telegram's rate limits, checked before a
method runs.

A failure rule answers the next matching calls with an error (429 with retry_after, 403, 400,
5xx); a slow rule lets them through but holds the answer back (Telegram accepted the message and
answers late, past a client's read timeout); a blocked chat gets 403 on every send or edit; with
`enforce_limits` a send past 30 a second overall or 1 a second per chat (the rates are settings)
gets 429 and is not delivered.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from tests.fakes.errors import ApiError, api_error
from tests.fakes.methods import EDIT_METHODS, SEND_METHODS, canonical_method
from tests.fakes.params import chat_key
from tests.fakes.store import Store


@dataclass
class FailRule:
    """The next `times` calls matching `method` (None: any) and `chat_id` get an error."""

    method: str | None
    chat_id: int | str | None
    status: int
    retry_after: int | None
    description: str | None
    times: int | None
    answer_after: float | None = None
    """Set on a slow rule: the call is carried out, its answer sent this many seconds later."""

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        """Whether this rule applies to a call."""
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id


class Rules(Store):
    """What makes the fake refuse a call before its method runs."""

    enforce_limits: bool = False
    global_rate: float = 30.0
    per_chat_rate: float = 1.0

    def fail(
        self,
        method: str | None = "sendMessage",
        *,
        chat_id: int | str | None = None,
        status: int = 429,
        retry_after: int | None = None,
        description: str | None = None,
        times: int | None = 1,
    ) -> None:
        """The next `times` calls of `method` (None: any method) get this error; None: forever."""
        rule = FailRule(
            method=canonical_method(method) if method else None,
            chat_id=chat_key(chat_id),
            status=status,
            retry_after=retry_after,
            description=description,
            times=times,
        )
        with self._lock:
            self._rules.append(rule)

    def slow(
        self,
        method: str | None = "sendMessage",
        *,
        seconds: float,
        chat_id: int | str | None = None,
        times: int | None = 1,
    ) -> None:
        """The next `times` calls of `method` (None: any method) are carried out at once (a
        message is delivered) and answered only `seconds` later; None: forever."""
        rule = FailRule(
            method=canonical_method(method) if method else None,
            chat_id=chat_key(chat_id),
            status=200,
            retry_after=None,
            description=None,
            times=times,
            answer_after=seconds,
        )
        with self._lock:
            self._rules.append(rule)

    def block(self, chat_id: int) -> None:
        """Every send or edit to `chat_id` gets 403 "bot was blocked by the user"."""
        with self._lock:
            self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """Undo `block`."""
        with self._lock:
            self._blocked.discard(chat_id)

    def _refusal(self, method: str, chat_id: int | str | None) -> ApiError | None:
        """The error a rule, a block or a rate limit gives this call, if any; caller holds
        the lock. A matching failure rule is used up."""
        rule_error = self._take_rule(method, chat_id)
        if rule_error is not None:
            return rule_error
        if method in SEND_METHODS | EDIT_METHODS and chat_id in self._blocked:
            return api_error(403)
        if self.enforce_limits and method in SEND_METHODS:
            retry_after = self._rate_retry_after(chat_id)
            if retry_after is not None:
                return api_error(429, retry_after=retry_after)
        return None

    def _count_delivery(self, method: str, chat_id: int | str | None) -> None:
        """Note a successful send in the rate windows; caller holds the lock."""
        if method in SEND_METHODS:
            now = time.monotonic()
            self._global_window.append(now)
            self._chat_windows[chat_id].append(now)

    def _take_rule(self, method: str, chat_id: int | str | None) -> ApiError | None:
        """Consume the first matching failure rule; caller holds the lock."""
        rule = self._use_rule(method, chat_id, slow=False)
        if rule is None:
            return None
        return api_error(rule.status, retry_after=rule.retry_after, description=rule.description)

    def _answer_delay(self, method: str, chat_id: int | str | None) -> float:
        """Seconds to hold back the answer of a call that went through (a slow rule), else 0;
        caller holds the lock."""
        rule = self._use_rule(method, chat_id, slow=True)
        return 0.0 if rule is None or rule.answer_after is None else rule.answer_after

    def _use_rule(self, method: str, chat_id: int | str | None, *, slow: bool) -> FailRule | None:
        """The first matching failure (or slow) rule, counted as used; caller holds the lock."""
        for rule in self._rules:
            if (rule.answer_after is not None) == slow and rule.matches(method, chat_id):
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        self._rules.remove(rule)
                return rule
        return None

    def _rate_retry_after(self, chat_id: int | str | None) -> int | None:
        """Seconds until a send to `chat_id` would fit the rolling windows, or None if it does."""
        now = time.monotonic()
        waits = []
        windows = [(self._global_window, self.global_rate)]
        windows.append((self._chat_windows[chat_id], self.per_chat_rate))
        for window, rate in windows:
            capacity = max(1, math.floor(rate))
            span = capacity / rate
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= capacity:
                waits.append(window[0] + span - now)
        if not waits:
            return None
        return max(1, math.ceil(max(waits)))
