"""The delivery worker's HTTP transport: python-telegram-bot's `BaseRequest` on aiohttp, and the
worker's own `Bot` built on it."""

from __future__ import annotations

from typing import Any

import aiohttp
from telegram import Bot
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """python-telegram-bot's networking over one aiohttp connection pool.

    The default HTTPX stack spends about 3 ms of CPU per request (httpcore scans its whole pool
    and checks every idle socket on each request); aiohttp needs well under 1 ms, which is what
    lets one worker reach Telegram's paid-broadcast rates on a small machine.
    """

    def __init__(
        self, connections: int, *, read_timeout: float = 15.0, connect_timeout: float = 5.0
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
        except TimeoutError as err:
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{type(err).__name__}: {err}") from err


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
