"""The start-up check: each way the Bot API can fail is one catalogue sentence naming the
setting to check (the command line's own runs are in tests/bot/cli/test_app.py)."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from bot.edge.startup import check_bot_api
from bot.settings import Settings
from kernel.errors import UserError
from kernel.i18n import t
from tests.conftest import TOKEN
from tests.fakes import FakeBotApi


def settings_for(base_url: str) -> Settings:
    return Settings(
        telegram_bot_token=TOKEN,  # type: ignore[arg-type]
        telegram_base_url=base_url,
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
async def not_a_bot_api() -> AsyncIterator[str]:
    """A web server on 127.0.0.1 that answers every request with JSON of its own."""

    async def answer(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "service": "intranet"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", answer)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/bot"
    finally:
        await runner.cleanup()


async def test_a_working_bot_api_passes(fake_api: FakeBotApi) -> None:
    await check_bot_api(settings_for(fake_api.base_url))
    assert fake_api.calls("getMe")


async def test_a_server_that_is_not_a_bot_api_names_the_base_url(not_a_bot_api: str) -> None:
    with pytest.raises(UserError) as raised:
        await check_bot_api(settings_for(not_a_bot_api))
    assert raised.value.key == "startup.unexpected"
    sentence = t("en", raised.value.key, **raised.value.values)
    assert "TELEGRAM_BASE_URL" in sentence and "HTTP 200" in sentence


async def test_a_server_that_never_answers_is_a_timeout_naming_the_base_url() -> None:
    with socket.socket() as silent:  # listens, never accepts: connections hang
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        with pytest.raises(UserError) as raised:
            await check_bot_api(settings_for(f"http://127.0.0.1:{port}/bot"), seconds=0.5)
    assert raised.value.key == "startup.timed_out"
    assert "TELEGRAM_BASE_URL" in t("zh-TW", raised.value.key, **raised.value.values)
