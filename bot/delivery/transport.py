"""The delivery worker's HTTP transport: python-telegram-bot's `BaseRequest` on aiohttp, and the
worker's own `Bot` built on it.

It waits READ_TIMEOUT for an answer, far above Telegram's slowest (a few seconds under load), and
tells the two kinds of network failure apart: the request never reached Telegram (no
connection: safe to send again) or it did and no answer came back (`AnswerLost`: Telegram may
have delivered the message, so it is not sent again)."""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

READ_TIMEOUT = 60.0
"""Seconds to wait for Telegram's answer once the request is sent."""
CONNECT_TIMEOUT = 5.0


class AnswerLost(TimedOut):
    """The request was sent and no answer came back (read timeout, connection dropped): Telegram
    may have accepted it."""

    def __init__(self, detail: str) -> None:
        super().__init__(f"no answer from Telegram ({detail})")


class AiohttpRequest(BaseRequest):
    """python-telegram-bot's networking over one aiohttp connection pool.

    The default HTTPX stack spends about 3 ms of CPU per request (httpcore scans its whole pool
    and checks every idle socket on each request); aiohttp needs well under 1 ms, which is what
    lets one worker reach Telegram's paid-broadcast rates on a small machine.
    """

    def __init__(
        self,
        connections: int,
        *,
        read_timeout: float = READ_TIMEOUT,
        connect_timeout: float = CONNECT_TIMEOUT,
    ) -> None:
        self._limit = connections
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

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
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        data: Any = None
        if request_data is not None:
            data = request_data.json_parameters
            if request_data.contains_files:
                form = aiohttp.FormData()
                for key, value in data.items():
                    form.add_field(key, value)
                for name, (filename, content, mime) in request_data.multipart_data.items():
                    form.add_field(name, content, filename=filename, content_type=mime)
                data = form
        read = read_timeout if isinstance(read_timeout, int | float) else self._read_timeout
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=self._connect_timeout, sock_read=read
        )
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError as err:  # no connection: nothing was sent
            raise TimedOut("Timed out connecting to Telegram") from err
        except aiohttp.ClientConnectorError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err
        except TimeoutError as err:
            raise AnswerLost(f"none within {read:g} s") from err
        except aiohttp.ClientError as err:  # dropped once the request was on its way
            raise AnswerLost(f"aiohttp.{type(err).__name__}: {err}") from err


def make_delivery_bot(
    *, token: str, base_url: str | None, base_file_url: str | None, pool_size: int
) -> Bot:
    """A Bot of its own for broadcasting: its connection pool fits the sends in flight, and the
    application's AIORateLimiter (30/s, for replies) does not throttle it a second time."""
    kwargs: dict[str, object] = {}
    if base_url:
        kwargs["base_url"] = base_url
    if base_file_url:
        kwargs["base_file_url"] = base_file_url
    return Bot(token, request=AiohttpRequest(pool_size), **kwargs)  # type: ignore[arg-type]
