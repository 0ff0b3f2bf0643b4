"""Webhook mode: updates with the secret token are handled, others are refused."""

from __future__ import annotations

import json
import socket

import httpx

from bot.application import build_application, webhook_options
from bot.settings import Settings
from storage.db import Database
from tests.fakes import FakeBotApi


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_webhook_update_without_the_secret_is_refused(
    settings: Settings, fake_api: FakeBotApi, db: Database
) -> None:
    port = free_port()
    config = Settings.model_validate(
        {
            **settings.model_dump(),
            "webhook_url": "https://bsmi.example.gov.tw/hook",
            "webhook_secret_token": "s3cret-token",
            "webhook_port": port,
        }
    )
    options = webhook_options(config)
    app = build_application(config, db=db)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(**options)
    try:
        set_hook = fake_api.calls("setWebhook")[-1].params
        assert set_hook["url"] == f"https://bsmi.example.gov.tw/hook/{options['url_path']}"
        assert set_hook["secret_token"] == "s3cret-token"
        update = fake_api.make_text_update(5001, "/help", language_code="en")
        url = f"http://127.0.0.1:{port}/{options['url_path']}"
        async with httpx.AsyncClient() as client:
            refused = await client.post(
                url, content=json.dumps(update), headers={"content-type": "application/json"}
            )
            wrong = await client.post(
                url,
                content=json.dumps(update),
                headers={
                    "content-type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": "guess",
                },
            )
            accepted = await client.post(
                url,
                content=json.dumps(update),
                headers={
                    "content-type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": "s3cret-token",
                },
            )
        assert (refused.status_code, wrong.status_code, accepted.status_code) == (403, 403, 200)
        await fake_api.async_wait_for("sendMessage", chat_id=5001, timeout=5)
        assert len(fake_api.sent(5001)) == 1
        assert "Commands you can use" in fake_api.last_text(5001)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
