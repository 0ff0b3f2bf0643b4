"""The Atom feeds parse as Atom 1.0 with every element RFC 4287 requires, newest first, with
entry ids that name the notice and not the address it is served at."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

from aiohttp.test_utils import TestClient

from bot.web.feeds import build_feed, entry_id
from storage.db import Database
from tests.bot.web.conftest import BASE, send

NS = {"a": "http://www.w3.org/2005/Atom"}


def parse(body: bytes) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for required in ("a:id", "a:title", "a:updated", "a:author/a:name"):
        assert root.find(required, NS) is not None, required
    for entry in root.findall("a:entry", NS):
        for required in ("a:id", "a:title", "a:updated"):
            assert (entry.findtext(required, namespaces=NS) or "").strip(), required
        datetime.fromisoformat(entry.findtext("a:updated", namespaces=NS) or "")
        alternate = entry.find("a:link[@rel='alternate']", NS)
        assert alternate is not None and alternate.get("type") == "text/html"
        assert entry.find("a:content", NS).get("type") == "html"  # type: ignore[union-attr]
    return root


async def test_the_feed_of_all_notices_carries_permanent_ids_and_public_links(
    site: TestClient, db: Database
) -> None:
    first = send(db, "第一則", day=1)
    second = send(db, "第二則 <b>&", codes=["batch"], day=2)
    send(db, "不公開", day=3, archive=False)
    response = await site.get("/feeds/all.atom")
    assert response.status == 200
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = parse(await response.read())
    entries = root.findall("a:entry", NS)
    assert [e.findtext("a:title", namespaces=NS) for e in entries] == ["第二則 <b>&", "第一則"]
    assert [e.findtext("a:id", namespaces=NS) for e in entries] == [
        f"tag:bsmi.gov.tw,2026:hsinchu-desk/notices/{second}",
        f"tag:bsmi.gov.tw,2026:hsinchu-desk/notices/{first}",
    ]
    links = [e.find("a:link", NS).get("href") for e in entries]  # type: ignore[union-attr]
    assert links == [f"{BASE}/notices/{second}", f"{BASE}/notices/{first}"]
    assert root.findtext("a:updated", namespaces=NS) == "2026-11-04T01:00:00+00:00"
    assert root.find("a:link[@rel='self']", NS).get("href") == f"{BASE}/feeds/all.atom"  # type: ignore[union-attr]
    content = entries[1].findtext("a:content", namespaces=NS)
    assert content == "<p>第一則 的內容。</p>"
    assert [c.get("term") for c in entries[0].findall("a:category", NS)] == ["batch"]


async def test_a_category_feed_holds_that_category_and_pages_announce_their_feeds(
    site: TestClient, db: Database
) -> None:
    send(db, "CNS", codes=["cns"], day=1)
    send(db, "批次", codes=["batch"], day=2)
    root = parse(await (await site.get("/feeds/cns.atom?lang=en")).read())
    assert [e.findtext("a:title", namespaces=NS) for e in root.findall("a:entry", NS)] == ["CNS"]
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert (await site.get("/feeds/nosuch.atom")).status == 404
    page = await (await site.get("/notices/")).text()
    assert '<link rel="alternate" type="application/atom+xml"' in page
    assert 'href="/feeds/all.atom"' in page and 'href="/feeds/batch.atom"' in page


def test_entry_ids_do_not_change_with_the_public_address() -> None:
    def ids(base: str) -> list[str | None]:
        root = ET.fromstring(
            build_feed(base=base, language="zh-TW", code=None, category=None, notices=[])
        )
        return [root.findtext("a:id", namespaces=NS), entry_id(7)]

    assert ids("https://old.example.gov.tw") == ids("http://127.0.0.1:8080")


async def test_an_empty_feed_is_still_valid_atom(site: TestClient) -> None:
    root = parse(await (await site.get("/feeds/all.atom")).read())
    assert root.findall("a:entry", NS) == []
