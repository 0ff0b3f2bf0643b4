"""Report pages read back as a browser's parser reads them: `Page` (a page's language, inline
SVG charts and tables) and `parsed` (a whole page, every element closed in order)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "wbr"}
)


class Page(HTMLParser):
    """A page's `lang`, its inline `<svg>` elements (attributes and text) and its tables
    (caption, header, body rows as the text of each cell)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.lang = ""
        self.images = 0
        self.svgs: list[tuple[dict[str, str | None], list[str]]] = []
        self.tables: list[tuple[str, list[str], list[list[str]]]] = []
        self._in: list[str] = []
        self._cell: list[str] | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang") or ""
        elif tag == "img":
            self.images += 1
        elif tag == "svg":
            self.svgs.append((dict(attrs), []))
        elif tag == "table":
            self.tables.append(("", [], []))
        elif tag == "tr" and "tbody" in self._in:
            self.tables[-1][2].append([])
        elif tag in ("th", "td", "caption"):
            self._cell = []
        if tag not in VOID:
            self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        while tag in self._in and self._in.pop() != tag:
            pass
        if tag not in ("th", "td", "caption") or self._cell is None:
            return
        text, self._cell = "".join(self._cell).strip(), None
        caption, header, rows = self.tables[-1]
        if tag == "caption":
            self.tables[-1] = (text, header, rows)
        elif "thead" in self._in:
            header.append(text)
        else:
            rows[-1].append(text)

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif "svg" in self._in and data.strip():
            self.svgs[-1][1].append(data.strip())

    def table(self, caption: str) -> tuple[list[str], list[list[str]]]:
        _, header, rows = next(t for t in self.tables if t[0] == caption)
        return header, rows


class _Elements(HTMLParser):
    """The open elements of a page, each closed by its own end tag, or a problem noted."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.seen: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append(tag)
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.open[-1:]}")
            return
        self.open.pop()


def parsed(path: Path) -> Page:
    """The page at `path`, after checking it is a whole HTML document whose elements all
    close in order."""
    text = path.read_text(encoding="utf-8")
    assert text.lstrip().lower().startswith("<!doctype html>"), path.name
    elements = _Elements()
    elements.feed(text)
    elements.close()
    assert elements.problems == [] and elements.open == [], (path.name, elements.problems[:3])
    assert {"html", "head", "title", "body"} <= set(elements.seen), path.name
    return Page(text)
