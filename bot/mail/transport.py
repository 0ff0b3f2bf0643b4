"""How an e-mail leaves: through the relay of SMTP_URL (plain, STARTTLS or TLS; one
connection reused across messages) or, without one, as an `.eml` file under MAIL_DROP_DIR.

Each step of the SMTP dialogue is its own call, so an error is known to come before the
message was handed over (nothing delivered: retried or refused) or after DATA (`unknown`)."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path
from typing import Protocol

import aiosmtplib

from bot.mail.outcomes import Answer, Attempt

logger = logging.getLogger(__name__)


class Transport(Protocol):
    async def send(self, *, sender: str, recipient: str, data: bytes, name: str) -> Attempt: ...

    async def close(self) -> None: ...


class DropTransport:
    """Writes each e-mail to `<folder>/<name>.eml` (written whole, then renamed)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, *, sender: str, recipient: str, data: bytes, name: str) -> Attempt:
        await asyncio.to_thread(self._write, name, data)
        return Attempt(Answer.SENT, detail=f"written to {self.folder}")

    def _write(self, name: str, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        final = self.folder / f"{name}.eml"
        partial = self.folder / f".{name}.eml.part"
        partial.write_bytes(data)
        os.replace(partial, final)

    async def close(self) -> None:
        return None


def _answer(code: int) -> Answer:
    return Answer.LATER if 400 <= code < 500 else Answer.REFUSED


class SmtpTransport:
    """One connection to the relay, opened when first needed and again after it drops."""

    def __init__(
        self,
        *,
        scheme: str,
        host: str,
        port: int,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
    ) -> None:
        self.scheme, self.host, self.port = scheme, host, port
        self.username, self.password = username, password
        self.timeout = timeout
        self._client: aiosmtplib.SMTP | None = None

    async def _connected(self) -> aiosmtplib.SMTP:
        if self._client is not None and self._client.is_connected:
            return self._client
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            timeout=self.timeout,
            use_tls=self.scheme == "smtps",
            start_tls=True if self.scheme == "smtp+starttls" else False,
        )
        await client.connect()
        if self.username:
            await client.login(self.username, self.password or "")
        self._client = client
        return client

    async def send(self, *, sender: str, recipient: str, data: bytes, name: str) -> Attempt:
        try:
            client = await self._connected()
            await client.mail(sender)
            await client.rcpt(recipient)
        except aiosmtplib.SMTPResponseException as error:
            await self._reset()
            return Attempt(_answer(error.code), error.code, error.message[:200])
        except (aiosmtplib.SMTPException, OSError) as error:  # not reached, or it hung up
            await self._drop()
            return Attempt(Answer.LATER, None, f"{type(error).__name__}: {error}"[:200])
        try:
            await client.data(data)
        except aiosmtplib.SMTPResponseException as error:
            await self._reset()
            return Attempt(_answer(error.code), error.code, error.message[:200])
        except (aiosmtplib.SMTPException, OSError) as error:
            await self._drop()
            return Attempt(Answer.UNKNOWN, None, f"{type(error).__name__}: {error}"[:200])
        return Attempt(Answer.SENT)

    async def _reset(self) -> None:
        if self._client is None:
            return
        try:
            await self._client.rset()
        except (aiosmtplib.SMTPException, OSError):
            await self._drop()

    async def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None and client.is_connected:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError):
                client.close()
