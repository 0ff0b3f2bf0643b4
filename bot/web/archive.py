"""The archive's pages: the list of public notices (newest first, by category, 20 a page), a
notice's permanent page, and its attachment's download. A notice that is not public answers
exactly as one that does not exist."""

from __future__ import annotations

import math
import mimetypes
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from aiohttp import web
from sqlmodel import Session

from bot.notices.categories import category_name
from bot.web.frame import DATABASE, SETTINGS, Feed, language_of, link, long_day, render
from bot.web.richtext import plain_to_page
from kernel.reporting import plain
from storage.models import Category, Notice
from storage.queries import archive as q
from storage.queries.notices import fetch_category_by_code

PER_PAGE = 20
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
"""A notice body with any of these is read as Chinese (its `lang`), else as English."""
ID_MAX = 2**63 - 1


class BadRequest(Exception):
    """A query the pages cannot read; the message key is one sentence for the 400 page."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class Attachment:
    name: str
    format: str
    size: int | None
    """None when the archive keeps no copy (the file went to Telegram from the chat)."""


@dataclass(frozen=True)
class NoticeView:
    id: int
    title: str
    body: str
    released_at: datetime
    categories: list[Category]
    attachment: Attachment | None


@dataclass(frozen=True)
class Listing:
    notices: list[NoticeView]
    page: int
    pages: int
    category: Category | None
    categories: list[Category]


def file_format(name: str) -> str:
    """What kind of file a name says it is: its extension in capitals (PDF, DOCX), or `—`."""
    suffix = PurePosixPath(name).suffix.lstrip(".")
    return suffix.upper() if suffix else "—"


def notice_views(session: Session, notices: list[Notice]) -> list[NoticeView]:
    """What the pages show of `notices` (public ones: released, so with a release time)."""
    ids = [n.id for n in notices if n.id is not None]
    categories = q.fetch_categories_of_notices(session=session, notice_ids=ids)
    sizes = q.fetch_public_file_sizes(session=session, notice_ids=ids)
    views = []
    for notice in notices:
        assert notice.id is not None and notice.released_at is not None
        attachment = None
        if notice.attachment_name:
            name = notice.attachment_name
            attachment = Attachment(name, file_format(name), sizes.get(notice.id))
        views.append(
            NoticeView(
                id=notice.id,
                title=notice.title,
                body=notice.body,
                released_at=notice.released_at,
                categories=categories[notice.id],
                attachment=attachment,
            )
        )
    return views


def read_listing(session: Session, *, code: str | None, page: int) -> Listing | None:
    """Page `page` of the public notices (of category `code`); None for an unknown category
    or a page past the last."""
    category = None
    if code is not None:
        category = fetch_category_by_code(session=session, code=code)
        if category is None:
            return None
    total = q.count_public_notices(session=session, category_code=code)
    pages = max(1, math.ceil(total / PER_PAGE))
    if page > pages:
        return None
    notices = q.fetch_public_notices(
        session=session, category_code=code, offset=(page - 1) * PER_PAGE, limit=PER_PAGE
    )
    return Listing(
        notices=notice_views(session, notices),
        page=page,
        pages=pages,
        category=category,
        categories=q.fetch_archive_categories(session=session),
    )


def read_notice(session: Session, *, notice_id: int) -> NoticeView | None:
    """The public notice `notice_id`, or None."""
    notice = q.fetch_public_notice(session=session, notice_id=notice_id)
    return None if notice is None else notice_views(session, [notice])[0]


def page_number(request: web.Request) -> int:
    """`?page=N`, 1 when absent; BadRequest unless a whole number from 1."""
    raw = request.query.get("page")
    if raw is None:
        return 1
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9 or int(raw) < 1:
        raise BadRequest("web.bad_page")
    return int(raw)


def notice_id_of(request: web.Request) -> int | None:
    raw = request.match_info["notice_id"]
    value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 19 else 0
    return value if 0 < value <= ID_MAX else None


def feeds_of(language: str, categories: list[Category]) -> tuple[Feed, ...]:
    """The feed of all notices, then each category's."""
    found = [Feed(plain(language, "web.feed_all"), link("/feeds/all.atom", language))]
    found += [
        Feed(
            plain(language, "web.feed_category", category=category_name(c, language)),
            link(f"/feeds/{c.code}.atom", language),
        )
        for c in categories
    ]
    return tuple(found)


def _helpers(language: str) -> dict[str, Any]:
    return {
        "day": lambda moment, tz: long_day(moment.astimezone(tz).date(), language),
        "name": lambda category: category_name(category, language),
        "body": plain_to_page,
        "text_lang": lambda text: "zh-TW" if CJK.search(text) else "en",
        "size": lambda size: human_size(size, language),
    }


def human_size(size: int, language: str) -> str:
    """12 KB, 3.4 MB (at least 1 KB)."""
    if size < 1024 * 1024:
        return plain(language, "web.size_kb", size=max(1, math.ceil(size / 1024)))
    return plain(language, "web.size_mb", size=f"{size / 1024 / 1024:.1f}")


async def notice_list(request: web.Request) -> web.Response:
    """GET /notices/: the public notices, newest first; `?category=CODE`, `?page=N`."""
    language = language_of(request)
    page = page_number(request)
    code = request.query.get("category") or None
    listing = await request.app[DATABASE].run_read(read_listing, code=code, page=page)
    if listing is None:
        raise web.HTTPNotFound
    title = plain(language, "web.list_title")
    if listing.category is not None:
        name = category_name(listing.category, language)
        title = plain(language, "web.list_title_category", category=name)
    shown = [listing.category] if listing.category is not None else listing.categories
    return render(
        request,
        "list.html.j2",
        title=title,
        feeds=feeds_of(language, shown),
        listing=listing,
        code=code,
        tz=request.app[SETTINGS].tz,
        **_helpers(language),
    )


async def notice_page(request: web.Request) -> web.Response:
    """GET /notices/<id>: the notice's permanent page."""
    notice_id = notice_id_of(request)
    found = None
    if notice_id is not None:
        found = await request.app[DATABASE].run_read(read_notice, notice_id=notice_id)
    if found is None:
        raise web.HTTPNotFound
    language = language_of(request)
    return render(
        request,
        "notice.html.j2",
        title=found.title,
        feeds=feeds_of(language, found.categories),
        notice=found,
        tz=request.app[SETTINGS].tz,
        file_href=lambda n: link(f"/notices/{n.id}/files/{quote(n.attachment.name)}", language),
        **_helpers(language),
    )


def _read_file(session: Session, *, notice_id: int) -> tuple[str, bytes] | None:
    notice = q.fetch_public_notice(session=session, notice_id=notice_id)
    if notice is None or not notice.attachment_name:
        return None
    content = q.fetch_public_file(session=session, notice_id=notice_id)
    return None if content is None else (notice.attachment_name, content)


async def notice_file(request: web.Request) -> web.Response:
    """GET /notices/<id>/files/<name>: the attachment the archive keeps, as a download."""
    notice_id = notice_id_of(request)
    found = None
    if notice_id is not None:
        found = await request.app[DATABASE].run_read(_read_file, notice_id=notice_id)
    if found is None or found[0] != request.match_info["name"]:
        raise web.HTTPNotFound
    name, content = found
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return web.Response(
        body=content,
        content_type=kind,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
