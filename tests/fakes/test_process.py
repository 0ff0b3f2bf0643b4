"""`python -m tests.fakes` serves the same fake from a child process, driven over HTTP."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.fakes import DEFAULT_TOKEN, FakeBotApiProcess


def test_process_mode_prints_ready_and_serves_stats_over_http(post: Callable[..., Any]) -> None:
    with FakeBotApiProcess(send_delay=0.05) as process:
        assert process.port > 0
        url = f"{process.base_url}{DEFAULT_TOKEN}/sendMessage"
        started = time.monotonic()
        for text in ("one", "one", "two"):
            assert post(url, {"chat_id": 5, "text": text})[0] == 200
        assert time.monotonic() - started >= 0.15  # the send delay
        process.fail("sendMessage", status=429, retry_after=2)
        status, body = post(url, {"chat_id": 5, "text": "three"})
        assert status == 429 and body["parameters"] == {"retry_after": 2}
        stats = process.stats()
        assert stats["sent_by_chat"] == {5: 3} and stats["delivered"] == 3
        assert stats["duplicates"] == 1 and stats["too_many_requests"] == 1
        assert stats["first_delivery_at"] < stats["last_delivery_at"]
        update = process.send_text(5, "/help")
        assert update["message"]["entities"][0]["length"] == 5
        assert [c["method"] for c in process.calls("sendMessage")] == ["sendMessage"] * 4
        process.reset()
        assert process.stats()["delivered"] == 0
