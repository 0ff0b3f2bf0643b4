"""What every public page shares: the request's language (zh-TW, or English with `?lang=en`),
links that keep it, absolute addresses under PUBLIC_BASE_URL, dates as the pages write them,
and rendering a page through the one Jinja2 environment (`kernel/templates/web/`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from babel.dates import format_date

from bot.settings import Settings
from kernel import templating
from kernel.clock import utcnow
from kernel.pages import in_language
from kernel.reporting import format_stamp, plain, roc_year
from storage.db import Database

SETTINGS = web.AppKey("settings", Settings)
DATABASE = web.AppKey("database", Database)
DEFAULT = "zh-TW"
OTHER = {"zh-TW": "en", "en": "zh-TW"}


def language_of(request: web.Request) -> str:
    """English with `?lang=en`; zh-TW otherwise."""
    return "en" if request.query.get("lang") == "en" else DEFAULT


def link(path: str, language: str, **params: object) -> str:
    """A path on the site with its query, keeping the language (zh-TW needs no parameter)."""
    query = {k: str(v) for k, v in params.items() if v is not None}
    if language != DEFAULT:
        query["lang"] = language
    return path + ("?" + urlencode(query) if query else "")


def absolute(settings: Settings, path: str) -> str:
    """`path` (with its query) under PUBLIC_BASE_URL: what feeds and other sites link to."""
    return settings.public_url + path


def long_day(day: date, language: str) -> str:
    """民國 115 年 12 月 1 日 in Chinese, 1 December 2026 in English."""
    if language == "zh-TW":
        return plain(language, "web.date", year=roc_year(day.year), month=day.month, day=day.day)
    month = format_date(day, "MMMM", locale="en_GB")
    return plain(language, "web.date", year=day.year, month=month, day=day.day)


@dataclass(frozen=True)
class Feed:
    """An Atom feed a page announces in its head."""

    title: str
    href: str


def render(
    request: web.Request,
    template: str,
    *,
    title: str,
    status: int = 200,
    feeds: tuple[Feed, ...] = (),
    **values: Any,
) -> web.Response:
    """The page `web/<template>` in the request's language, framed by `web/base.html.j2`."""
    settings = request.app[SETTINGS]
    language = language_of(request)
    other = OTHER[language]
    query = {k: v for k, v in request.query.items() if k != "lang"}
    local = utcnow().astimezone(settings.tz)
    unset = plain(language, "contact.unset")
    body = templating.render(
        f"web/{template}",
        lang=language,
        title=title,
        tr=lambda key, **v: plain(language, key, **v),
        lx=lambda text: in_language(text, language),
        link=lambda path, **v: link(path, language, **v),
        switch_href=link(request.path, other, **query),
        switch_lang=other,
        feeds=feeds,
        printed=plain(
            language, "web.printed", stamp=format_stamp(local, language, roc=language == DEFAULT)
        ),
        contact=plain(
            language,
            "web.contact",
            phone=settings.branch_contact_phone or unset,
            address=settings.branch_contact_address or unset,
        ),
        **values,
    )
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8")
