"""Telegram HTML made safe for a page: only the tags Telegram allows are kept (a link only to
the web or mail, no other attribute), everything else is escaped and shown as text; blank lines
become paragraphs and line breaks `<br>`, as the chat shows them; web addresses in the text
become links, as Telegram makes them."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from markupsafe import Markup, escape

ALLOWED = {
    "b": "b",
    "strong": "strong",
    "i": "i",
    "em": "em",
    "u": "u",
    "ins": "ins",
    "s": "s",
    "strike": "s",
    "del": "del",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "a": "a",
    "span": "span",
    "tg-spoiler": "span",
    "tg-emoji": "span",
}
"""Telegram's tags (Bot API, HTML style) and what a page writes for each."""
LINK_SCHEMES = ("http://", "https://", "mailto:")
_ADDRESS = re.compile(r"https?://[^\s<>\"'（）「」，。]+[^\s<>\"'（）「」，。.,;:!?)]")


class _Cleaner(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        written = ALLOWED.get(tag)
        href = dict(attrs).get("href") or ""
        if written is None or (tag == "a" and not href.lower().startswith(LINK_SCHEMES)):
            self.out.append(str(escape(self.get_starttag_text() or "")))
            return
        if tag == "a":
            self.out.append(f'<a href="{html.escape(href, quote=True)}">')
        else:
            self.out.append(f"<{written}>")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.open:
            self.out.append(str(escape(f"</{tag}>")))
            return
        while self.open:  # close what was left open inside it too
            inner = self.open.pop()
            self.out.append(f"</{ALLOWED[inner]}>")
            if inner == tag:
                break

    def handle_data(self, data: str) -> None:
        inside_link = "a" in self.open
        at = 0
        for found in [] if inside_link else _ADDRESS.finditer(data):
            self.out.append(str(escape(data[at : found.start()])))
            address = escape(found.group())
            self.out.append(f'<a href="{address}">{address}</a>')
            at = found.end()
        self.out.append(str(escape(data[at:])))

    def result(self) -> str:
        self.close()
        while self.open:
            self.out.append(f"</{ALLOWED[self.open.pop()]}>")
        return "".join(self.out)


def clean(telegram_html: str) -> str:
    """One piece of Telegram HTML as safe page HTML (its line breaks still `\\n`)."""
    cleaner = _Cleaner()
    cleaner.feed(telegram_html)
    return cleaner.result()


def to_page(telegram_html: str) -> Markup:
    """A message's Telegram HTML as paragraphs of safe page HTML."""
    paragraphs = re.split(r"\n\s*\n", telegram_html.replace("\r\n", "\n").strip())
    return Markup(
        "\n".join(
            "<p>" + clean(p.strip("\n")).replace("\n", "<br>\n") + "</p>"
            for p in paragraphs
            if p.strip()
        )
    )


def plain_to_page(text: str) -> Markup:
    """Plain text, as a notice body is stored and escaped into the Telegram message, on a page."""
    return to_page(html.escape(text, quote=False))
