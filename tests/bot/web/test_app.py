"""The site as a whole: served by the bot's own process and event loop, security headers on
every answer, HEAD, the 404 page for any unknown address, the language switch, /privacy from
the chat's catalogue text."""

from __future__ import annotations

import asyncio
import html
import re
import socket
import time

import aiohttp
import pytest
from aiohttp.test_utils import TestClient

from bot.settings import Settings, SettingsError
from bot.web.app import start
from kernel.i18n import t
from storage.db import Database
from tests.bot.web.conftest import send
from tests.conftest import BRANCH_ADDRESS, BRANCH_PHONE
from tests.fakes import WAIT_CEILING, FakeBotApi
from tests.harness import BotHarness


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_run_serves_the_site_beside_the_bot_and_stops_it_on_shutdown(
    settings: Settings, fake_api: FakeBotApi, db: Database
) -> None:
    port = free_port()
    harness = BotHarness(
        settings=settings.model_copy(update={"web_port": port}), fake=fake_api, db=db
    )
    await harness.start()
    try:
        # ready once the worker started in the same start-up hook has taken its lease
        deadline = time.monotonic() + WAIT_CEILING
        async with aiohttp.ClientSession() as client:
            while True:
                async with client.get(f"http://127.0.0.1:{port}/readyz") as response:
                    found = await response.json()
                if response.status == 200 or time.monotonic() > deadline:
                    break
                await asyncio.sleep(0.05)
        assert response.status == 200, found
        assert await harness.say(7001, "/start", language_code="en")
    finally:
        await harness.stop()
    async with aiohttp.ClientSession() as client:
        refused = False
        try:
            await client.get(f"http://127.0.0.1:{port}/healthz")
        except aiohttp.ClientConnectionError:
            refused = True
        assert refused


async def test_a_port_in_use_is_one_sentence_naming_the_settings(
    web_settings: Settings, db: Database
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(SettingsError) as refused:
            await start(web_settings.model_copy(update={"web_port": port}), db)
    message = str(refused.value)
    assert f"127.0.0.1:{port}" in message and "WEB_PORT" in message and "\n" not in message
    assert await start(web_settings.model_copy(update={"web_port": 0}), db) is None


async def test_every_answer_carries_the_security_headers_and_no_script(
    site: TestClient, db: Database
) -> None:
    notice = send(db, "公告", attachment_name="a.pdf", attachment_content=b"%PDF")
    for path in (
        "/notices/",
        f"/notices/{notice}",
        f"/notices/{notice}/files/a.pdf",
        "/feeds/all.atom",
        "/privacy",
        "/healthz",
        "/readyz",
        "/no/such/page",
        "/notices/?page=x",
        "/static/site.css",
    ):
        response = await site.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy, path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        if response.content_type == "text/html":
            assert "<script" not in (await response.text()), path


async def test_head_answers_like_get_without_a_body(site: TestClient, db: Database) -> None:
    notice = send(db, "公告")
    for path, status in (("/notices/", 200), (f"/notices/{notice}", 200), ("/nope", 404)):
        response = await site.head(path)
        assert response.status == status, path
        assert await response.read() == b""


async def test_an_unknown_address_is_the_404_page_in_the_pages_language(
    site: TestClient,
) -> None:
    for path in ("/nope", "/notices/abc", "/notices/99999999999999999999", "/feeds/x"):
        response = await site.get(path)
        assert response.status == 404, path
        page = await response.text()
        assert "找不到這個網頁：請檢查網址，或回即時通公告列表查看。" in page, path
    english = await (await site.get("/nope?lang=en")).text()
    assert '<html lang="en">' in english and "There is no page at this address" in english
    root = await site.get("/", allow_redirects=False)
    assert (root.status, root.headers["Location"]) == (302, "/notices/")


async def test_privacy_is_the_chats_catalogue_text_as_a_page(site: TestClient) -> None:
    for language, query in (("zh-TW", ""), ("en", "?lang=en")):
        page = await (await site.get(f"/privacy{query}")).text()
        assert f'<html lang="{language}">' in page
        chat = t(language, "privacy.text", phone=BRANCH_PHONE, address=BRANCH_ADDRESS)
        # every paragraph of the chat's text, its bold headings kept, its lines broken alike
        for paragraph in chat.split("\n\n"):
            shown = html.unescape(paragraph.replace("\n", "<br>\n"))
            assert shown in html.unescape(page), paragraph[:40]
        assert BRANCH_PHONE in page
    zh = await (await site.get("/privacy")).text()
    assert "<p><b>個人資料蒐集告知（個人資料保護法第 8 條）</b></p>" in zh


async def test_every_page_links_the_other_language_and_keeps_the_query(
    site: TestClient, db: Database
) -> None:
    send(db, "公告")
    page = await (await site.get("/notices/?category=cns")).text()
    switch = '<a href="/notices/?category=cns&amp;lang=en" lang="en" hreflang="en">English</a>'
    assert switch in page
    english = await (await site.get("/notices/?category=cns&lang=en")).text()
    assert '<a href="/notices/?category=cns" lang="zh-TW" hreflang="zh-TW">中文</a>' in english
    assert re.search(r'<link rel="stylesheet" href="/static/site.css\?lang=en">', english)
    css = await site.get("/static/site.css?lang=en")
    assert css.content_type == "text/css"
    assert 'content: "Page " counter(page) " of " counter(pages);' in await css.text()


async def test_the_site_answers_while_the_event_loop_is_shared(site: TestClient) -> None:
    answers = await asyncio.gather(*(site.get("/healthz") for _ in range(20)))
    assert [a.status for a in answers] == [200] * 20
