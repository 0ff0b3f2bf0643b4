"""Fixtures for the fake's own tests: a fake with default settings and a real PTB `Bot` on it.

`bot` here is python-telegram-bot's `Bot`, not the whole application of tests/conftest.py.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import pytest
from telegram import Bot

from tests.fakes import FakeBotApi


@pytest.fixture
def fake() -> Iterator[FakeBotApi]:
    """A fake Bot API with default settings."""
    with FakeBotApi() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    """A real python-telegram-bot Bot talking to the fake."""
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as tg:
        yield tg


@pytest.fixture
def timedelta_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let RetryAfter carry a timedelta instead of warning about the int it used to carry."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture
def post() -> Callable[..., tuple[int, dict[str, Any]]]:
    """POST with the standard library, as a client other than python-telegram-bot would."""
    return _post


def _post(url: str, body: dict[str, Any], *, form: bool = False) -> tuple[int, dict[str, Any]]:
    """POST a JSON or form-encoded body; return status and JSON."""
    if form:
        data = urllib.parse.urlencode(body).encode()
        content_type = "application/x-www-form-urlencoded"
    else:
        data = json.dumps(body).encode()
        content_type = "application/json"
    request = urllib.request.Request(url, data=data, headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())
