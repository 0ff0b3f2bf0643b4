"""A fake Telegram Bot API server on 127.0.0.1 that tests and benchmarks drive the bot against.

The bot talks to it through python-telegram-bot's real HTTP layer (`base_url=fake.base_url`,
`base_file_url=fake.base_file_url`). The server runs in its own thread with its own event loop,
so sync tests, async tests and a bot in a subprocess can all use it; `python -m tests.fakes`
runs it as a separate process, controlled over HTTP under `/_fake/` (see `FakeBotApiProcess`).

    with FakeBotApi() as fake:
        fake.send_text(42, "/start")
        await fake.async_wait_for("sendMessage", chat_id=42)
        assert "歡迎" in fake.last_text(42)

One module per concern: server.py (the aiohttp app in its thread, the addresses), methods.py
(the Bot API methods), updates.py (what users do), rules.py (failure injection and rate limits),
inspection.py (recorded calls and waits), telegram_html.py (HTML checks and visible text),
params.py (reading requests), errors.py, store.py (the state they share), process.py (the fake
in a child process).
"""

from __future__ import annotations

from tests.fakes.errors import ApiError, api_error
from tests.fakes.inspection import WAIT_CEILING, Call
from tests.fakes.process import FakeBotApiProcess
from tests.fakes.server import DEFAULT_TOKEN, FakeBotApi
from tests.fakes.store import BOT_USER
from tests.fakes.telegram_html import visible_text

__all__ = [
    "BOT_USER",
    "DEFAULT_TOKEN",
    "WAIT_CEILING",
    "ApiError",
    "Call",
    "FakeBotApi",
    "FakeBotApiProcess",
    "api_error",
    "visible_text",
]
