"""What every report page shares: the frame values of `reports/base.html.j2` (language, title,
the produced-on line, the print header and page numbers) and `lang` marks on text in the
other language (a Chinese name in an English page, an English product name in a Chinese one).

Page numbers: Chromium prints `@page` margin boxes (since version 131), so the base template
puts "page N of M" at the foot and the produced-on stamp at the head of every printed page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from markupsafe import Markup, escape

from kernel import templating
from kernel.reporting import format_stamp, plain

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]{2,}")


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _counter_css(template: str) -> Markup:
    """`Page {page} of {pages}` as a CSS `content` value with page counters."""
    parts = re.split(r"(\{page\}|\{pages\})", template)
    css = []
    for part in parts:
        if part == "{page}":
            css.append("counter(page)")
        elif part == "{pages}":
            css.append("counter(pages)")
        elif part:
            css.append(f'"{_css_string(part)}"')
    return Markup(" ".join(css))


@dataclass(frozen=True)
class Page:
    lang: str
    title: str
    produced: str
    produced_css: str
    page_counter_css: Markup
    roc: bool = False
    """Whether the page writes ROC dates (its declared tables read it)."""


def page(language: str, title: str, produced: datetime, *, roc: bool) -> Page:
    """The frame of a page in `language`, produced at `produced` (local time)."""
    line = plain(language, "reports.produced", stamp=format_stamp(produced, language, roc=roc))
    return Page(
        lang=language,
        title=title,
        produced=line,
        produced_css=_css_string(line),
        page_counter_css=_counter_css(plain(language, "reports.page_of")),
        roc=roc,
    )


def in_language(text: object, language: str) -> Markup:
    """`text`, escaped, inside `<span lang=…>` when it is written in the other language."""
    value = "" if text is None else str(text)
    if language == "en" and _CJK.search(value):
        return Markup('<span lang="zh-TW">{}</span>').format(value)
    if language == "zh-TW" and not _CJK.search(value) and _LATIN.search(value):
        return Markup('<span lang="en">{}</span>').format(value)
    return Markup(escape(value))


def render_page(name: str, /, *, page: Page, **values: Any) -> str:
    """Render the report template `name` with the frame values and the helpers it uses."""
    return templating.render(
        name,
        page=page,
        tr=lambda key, **v: plain(page.lang, key, **v),
        lx=lambda text: in_language(text, page.lang),
        **values,
    )
