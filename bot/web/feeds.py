"""The Atom 1.0 feeds (RFC 4287): `/feeds/all.atom` and `/feeds/<category code>.atom`, the 50
newest public notices each, in the page's language (`?lang=en`).

Entry ids are `tag:` URIs (RFC 4151) minted under the bureau's domain in 2026,
`tag:bsmi.gov.tw,2026:hsinchu-desk/notices/<id>`: they name the notice, not where it is
served, so a feed reader keeps its read marks when PUBLIC_BASE_URL changes (a new host, a
TLS proxy in front); the links inside the entries follow PUBLIC_BASE_URL."""

from __future__ import annotations

from datetime import datetime
from xml.etree import ElementTree as ET

from aiohttp import web
from markupsafe import escape
from sqlmodel import Session

from bot.notices.categories import category_name
from bot.web.archive import NoticeView, notice_views
from bot.web.frame import DATABASE, SETTINGS, absolute, language_of, link
from bot.web.richtext import plain_to_page
from kernel.clock import utcnow
from kernel.reporting import plain
from storage.models import Category
from storage.queries import archive as q
from storage.queries.notices import fetch_category_by_code

ATOM = "http://www.w3.org/2005/Atom"
TAG = "tag:bsmi.gov.tw,2026:hsinchu-desk"
ENTRIES = 50


def entry_id(notice_id: int) -> str:
    """The permanent id of a notice's entry, the same in every feed and language."""
    return f"{TAG}/notices/{notice_id}"


def _stamp(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def _read(
    session: Session, *, code: str | None
) -> tuple[Category | None, list[NoticeView]] | None:
    category = None
    if code is not None:
        category = fetch_category_by_code(session=session, code=code)
        if category is None:
            return None
    notices = q.fetch_public_notices(session=session, category_code=code, limit=ENTRIES)
    return category, notice_views(session, notices)


def _element(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    node.text = text
    return node


def build_feed(
    *,
    base: str,
    language: str,
    code: str | None,
    category: Category | None,
    notices: list[NoticeView],
) -> bytes:
    """The feed document: UTF-8 XML."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})
    name = "all" if code is None else code
    _element(feed, "id", f"{TAG}/feeds/{name}/{language}")
    title = plain(language, "web.feed_title_all")
    if category is not None:
        title = plain(
            language, "web.feed_title_category", category=category_name(category, language)
        )
    _element(feed, "title", title)
    newest = max((n.released_at for n in notices), default=None) or utcnow()
    _element(feed, "updated", _stamp(newest))
    author = _element(feed, "author")
    _element(author, "name", plain(language, "web.branch"))
    self_href = base + link(f"/feeds/{name}.atom", language)
    _element(feed, "link", rel="self", type="application/atom+xml", href=self_href)
    page = link("/notices/", language, category=code)
    _element(feed, "link", rel="alternate", type="text/html", href=base + page)
    for notice in notices:
        entry = _element(feed, "entry")
        _element(entry, "id", entry_id(notice.id))
        _element(entry, "title", notice.title)
        _element(entry, "updated", _stamp(notice.released_at))
        _element(entry, "published", _stamp(notice.released_at))
        href = base + link(f"/notices/{notice.id}", language)
        _element(entry, "link", rel="alternate", type="text/html", href=href)
        for each in notice.categories:
            _element(entry, "category", term=each.code, label=category_name(each, language))
        content = str(plain_to_page(notice.body))
        if notice.attachment is not None:
            content += f"<p>{escape(notice.attachment.name)}</p>"
        _element(entry, "content", content, type="html")
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


async def feed(request: web.Request) -> web.Response:
    """GET /feeds/all.atom, /feeds/<code>.atom."""
    name = request.match_info["name"]
    code = None if name == "all" else name
    found = await request.app[DATABASE].run_read(_read, code=code)
    if found is None:
        raise web.HTTPNotFound
    category, notices = found
    body = build_feed(
        base=absolute(request.app[SETTINGS], ""),
        language=language_of(request),
        code=code,
        category=category,
        notices=notices,
    )
    return web.Response(body=body, content_type="application/atom+xml", charset="utf-8")
