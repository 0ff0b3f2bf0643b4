"""What tests read from the fake: recorded calls, the messages sent, stats, keyboards, and
waits for calls or conditions with a generous ceiling and a dump of the last calls on timeout."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.errors import ApiError
from tests.fakes.methods import SEND_METHODS, SENT_METHODS
from tests.fakes.params import Upload, chat_key
from tests.fakes.store import Store, inline_buttons

logger = logging.getLogger(__name__)

WAIT_CEILING = 30.0
"""Default seconds a wait allows: far above what a loaded machine needs; reached only when
the awaited thing never happens, so it costs nothing when a test passes."""
_POLL = 0.005


@dataclass
class Call:
    """One request the bot made and the answer it got."""

    method: str
    params: dict[str, Any]
    chat_id: int | str | None
    at: float
    status: int = 200
    result: Any = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the call was answered with a result rather than an error."""
        return self.status == 200

    @property
    def text(self) -> str | None:
        """The text or caption the call carried, if any."""
        value = self.params.get("text", self.params.get("caption"))
        return value if isinstance(value, str) else None

    def to_json(self) -> dict[str, Any]:
        """The call as JSON-able data (uploads summarised)."""
        params = {k: v.to_json() if isinstance(v, Upload) else v for k, v in self.params.items()}
        return {
            "method": self.method,
            "params": params,
            "chat_id": self.chat_id,
            "at": self.at,
            "status": self.status,
            "result": self.result,
            "description": self.description,
        }

    def summary(self, t0: float = 0.0) -> str:
        """One readable line for failure dumps."""
        outcome = str(self.status) if self.ok else f"{self.status} {self.description}"
        detail = ""
        if self.text is not None:
            detail = f" text={_shorten(self.text)!r}"
        elif "data" in self.params:
            detail = f" data={self.params['data']!r}"
        elif self.method == "getUpdates" and isinstance(self.result, list):
            detail = f" -> {len(self.result)} updates"
        chat = f" chat={self.chat_id}" if self.chat_id is not None else ""
        return f"+{self.at - t0:8.3f}s {self.method}{chat} -> {outcome}{detail}"


WaitTarget = str | Callable[[Call], bool]


class Inspection(Store):
    """Recording calls and reading them back."""

    buttons = staticmethod(inline_buttons)

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        chat_id: int | str | None,
        *,
        result: Any = None,
        error: ApiError | None = None,
    ) -> None:
        """Append a Call for this request."""
        call = Call(
            method=method,
            params=params,
            chat_id=chat_id,
            at=time.monotonic(),
            status=error.status if error else 200,
            result=None if error else result,
            description=error.description if error else None,
        )
        with self._lock:
            self._calls.append(call)
        if error is not None and error.status != 429:
            logger.debug("fake Bot API answered %s with %s", method, error.description)

    def calls(self, method: str | None = None, chat_id: int | str | None = None) -> list[Call]:
        """Recorded calls, oldest first, optionally only one method and/or chat."""
        chat_id = chat_key(chat_id)
        with self._lock:
            return [
                call
                for call in self._calls
                if (method is None or call.method == method)
                and (chat_id is None or call.chat_id == chat_id)
            ]

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent or edited (successful calls), in order."""
        messages: list[dict[str, Any]] = []
        for call in self.calls(chat_id=chat_id):
            if call.ok and call.method in SENT_METHODS:
                result = call.result if isinstance(call.result, list) else [call.result]
                messages.extend(result)
        return messages

    def last_text(self, chat_id: int) -> str:
        """The text (or caption) of the last message sent or edited in `chat_id`."""
        for message in reversed(self.sent(chat_id)):
            text = message.get("text", message.get("caption"))
            if text is not None:
                return text
        raise AssertionError(f"the bot sent no text to chat {chat_id}\n{self.dump()}")

    def button_data(self, chat_id: int, text_contains: str) -> str:
        """The callback_data of the button labelled `text_contains` on the latest keyboard."""
        return self._find_button(chat_id, text_contains)[1]

    def file_bytes(self, file_id: str) -> bytes:
        """The bytes behind a file_id: uploaded by the bot or registered by the test."""
        with self._lock:
            stored = self._files.get(file_id)
        if stored is None:
            raise AssertionError(f"no file {file_id!r}; known: {sorted(self._files)}")
        return stored.content

    def clear(self) -> None:
        """Forget recorded calls (and so the stats); messages, files and rules stay."""
        with self._lock:
            self._calls.clear()

    def dump(self, last: int = 25) -> str:
        """The last recorded calls, one per line."""
        calls = self.calls()
        lines = [call.summary(self._t0) for call in calls[-last:]]
        header = f"last {len(lines)} of {len(calls)} calls to the fake Bot API:"
        return "\n".join([header, *(f"  {line}" for line in lines)])

    def stats(self) -> dict[str, Any]:
        """Deliveries per chat, totals, 429s, duplicates, first/last delivery and the rate."""
        calls = self.calls()
        delivered = [c for c in calls if c.ok and c.method in SEND_METHODS]
        by_chat = Counter(c.chat_id for c in delivered)
        seen: set[tuple[Any, str]] = set()
        duplicates = []
        for call in delivered:
            text = call.text
            if text is None:
                continue
            if (call.chat_id, text) in seen:
                duplicates.append({"chat_id": call.chat_id, "text": _shorten(text)})
            seen.add((call.chat_id, text))
        first = delivered[0].at if delivered else None
        last = delivered[-1].at if delivered else None
        rate = None
        if first is not None and last is not None and last > first:
            rate = (len(delivered) - 1) / (last - first)
        with self._lock:
            pending = len(self._updates)
        return {
            "calls": len(calls),
            "calls_by_method": dict(Counter(c.method for c in calls)),
            "delivered": len(delivered),
            "sent_by_chat": dict(by_chat),
            "too_many_requests": sum(1 for c in calls if c.status == 429),
            "errors_by_status": dict(Counter(c.status for c in calls if not c.ok)),
            "duplicates": len(duplicates),
            "duplicate_texts": duplicates[:20],
            "first_delivery_at": first,
            "last_delivery_at": last,
            "rate": rate,
            "pending_updates": pending,
        }

    def wait_for(
        self,
        what: WaitTarget,
        *,
        chat_id: int | None = None,
        count: int = 1,
        timeout: float = WAIT_CEILING,
    ) -> list[Call]:
        """Block until `count` calls match (a method name or a predicate on Call); return them.

        A method name matches every call of it, failed or not. Use `async_wait_for` in async
        code: this blocks the calling thread and with it any bot running on its loop.
        """
        if _loop_running():
            raise RuntimeError("wait_for would block the event loop; use `await async_wait_for`")
        deadline = time.monotonic() + timeout
        while True:
            matched = self._matching(what, chat_id, count)
            if len(matched) >= count:
                return matched
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_message(what, chat_id, count, timeout))
            time.sleep(_POLL)

    async def async_wait_for(
        self,
        what: WaitTarget,
        *,
        chat_id: int | None = None,
        count: int = 1,
        timeout: float = WAIT_CEILING,
    ) -> list[Call]:
        """Like `wait_for`, polling with asyncio.sleep so the event loop keeps running."""
        deadline = time.monotonic() + timeout
        while True:
            matched = self._matching(what, chat_id, count)
            if len(matched) >= count:
                return matched
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_message(what, chat_id, count, timeout))
            await asyncio.sleep(_POLL)

    async def async_wait_until(
        self, condition: Callable[[], bool], *, timeout: float = WAIT_CEILING, what: str = ""
    ) -> None:
        """Poll `condition()` until it holds, letting the event loop run; on timeout fail with
        `what` (or the condition's name) and the last calls."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() >= deadline:
                target = what or getattr(condition, "__name__", repr(condition))
                raise AssertionError(
                    f"timed out after {timeout} s waiting until {target}\n{self.dump()}"
                )
            await asyncio.sleep(_POLL)

    def _matching(self, what: WaitTarget, chat_id: int | None, count: int) -> list[Call]:
        """Calls matching a wait target; a predicate is evaluated only until `count` match."""
        if isinstance(what, str):
            return self.calls(what, chat_id=chat_id)
        matched = []
        for call in self.calls(chat_id=chat_id):
            if what(call):
                matched.append(call)
                if len(matched) >= count:
                    break
        return matched

    def _timeout_message(
        self, what: WaitTarget, chat_id: int | None, count: int, timeout: float
    ) -> str:
        target = what if isinstance(what, str) else getattr(what, "__name__", repr(what))
        where = f" in chat {chat_id}" if chat_id is not None else ""
        return f"timed out after {timeout} s waiting for {count} x {target}{where}\n{self.dump()}"


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _shorten(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
