"""Before the bot starts: one getMe against the configured Bot API, and each way it can fail
as one sentence naming the setting to check.

python-telegram-bot's own start-up turns a refused token into a 150-line traceback whose last
line prints the token; a wrong base URL behind a proxy looks the same, and an unreachable
server is a traceback of httpx's. Asked first, on its own, the Bot API's answer says which
setting is wrong: 401 is the token, 404 (or an answer that is not the Bot API's JSON) is
TELEGRAM_BASE_URL (Telegram answers 404 to a token of the wrong shape too, so that sentence
names both), no answer at all is the address or the network.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.edge.logs import redact
from bot.settings import Settings
from kernel.errors import UserError

DEFAULT_HOST = "api.telegram.org"
CHECK_TIMEOUT = 15.0
"""Seconds to connect and to wait for getMe's answer; Telegram answers it in well under one."""


class _RecordingRequest(HTTPXRequest):
    """HTTPXRequest that remembers the HTTP status of the last answer."""

    status: int | None = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        status, payload = await super().do_request(
            url,
            method,
            request_data=request_data,
            read_timeout=read_timeout,
            write_timeout=write_timeout,
            connect_timeout=connect_timeout,
            pool_timeout=pool_timeout,
        )
        self.status = status
        return status, payload


def bot_api_host(settings: Settings) -> str:
    """The host (and port) of the configured Bot API, without any credentials or path."""
    if not settings.telegram_base_url:
        return DEFAULT_HOST
    parts = urlsplit(settings.telegram_base_url)
    host = parts.hostname or settings.telegram_base_url
    return f"{host}:{parts.port}" if parts.port else host


@contextlib.contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Silence logger `name` meanwhile: every failure here becomes one sentence instead."""
    target = logging.getLogger(name)
    level = target.level
    target.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        target.setLevel(level)


async def check_bot_api(settings: Settings, *, seconds: float = CHECK_TIMEOUT) -> None:
    """Ask the configured Bot API who the bot is; a UserError naming the setting to check
    when the token is refused, the address is wrong or nothing answers."""
    request = _RecordingRequest(connect_timeout=seconds, read_timeout=seconds)
    options: dict[str, Any] = {"request": request}
    if settings.telegram_base_url:
        options["base_url"] = settings.telegram_base_url
    bot = Bot(settings.require_token(), **options)
    host = bot_api_host(settings)
    with _quiet("telegram"):
        try:
            async with bot:
                return
        except TimedOut:
            raise UserError("startup.timed_out", host=host) from None
        except NetworkError:
            if request.status is None:
                raise UserError("startup.unreachable", host=host) from None
            raise UserError("startup.unexpected", host=host, status=request.status) from None
        except InvalidToken:
            if request.status == 401:
                raise UserError("startup.token_refused", host=host) from None
            raise UserError("startup.not_found", host=host, status=request.status) from None
        except Exception:  # noqa: BLE001 - any other answer is not the Bot API's
            raise UserError(
                "startup.unexpected", host=host, status=request.status or "?"
            ) from None


def failure(error: BaseException, settings: Settings) -> UserError | None:
    """The sentence for a Bot API error that stopped python-telegram-bot's own start-up (after
    `check_bot_api` passed, e.g. Telegram refusing the webhook), or None for anything else."""
    host = bot_api_host(settings)
    if isinstance(error, InvalidToken):
        return UserError("startup.token_refused", host=host)
    if isinstance(error, TimedOut):
        return UserError("startup.timed_out", host=host)
    if isinstance(error, NetworkError):
        return UserError("startup.unreachable", host=host)
    if isinstance(error, TelegramError):
        return UserError("startup.refused", host=host, reason=redact(error.message)[:200])
    return None
