"""Every report page reads as text in its own language: no Python object, no `None` where a
value belongs, no label left in the other language (names and places from the data are marked
with `lang`)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from bot.cli.demo import DemoResult
from kernel.i18n import catalogue
from tests.reports.conftest import pages

LEAKS = ("<built-in", "<bound method", " object at 0x", "<function ", "Undefined")
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


class PageText(HTMLParser):
    """The text a reader sees, split into text in the page's language and text marked as in
    another language (`lang` on an element), with the page's `lang`."""

    def __init__(self) -> None:
        super().__init__()
        self.page_lang = ""
        self.own: list[str] = []
        self.other: list[str] = []
        self._stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.page_lang = found.get("lang") or ""
            return
        if tag in ("meta", "br", "link", "img", "path", "use", "rect", "line", "circle"):
            return
        marked = bool(self._stack and self._stack[-1][1])
        lang = found.get("lang")
        self._stack.append((tag, marked or (lang is not None and lang != self.page_lang)))

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not data.strip() or any(tag in ("style", "script") for tag, _ in self._stack):
            return
        marked = bool(self._stack and self._stack[-1][1])
        (self.other if marked else self.own).append(data.strip())


def read(html: str) -> PageText:
    parser = PageText()
    parser.feed(html)
    return parser


def test_every_demo_page_prints_values_never_python_objects(
    demo_reports: dict[str, DemoResult],
) -> None:
    found = pages(demo_reports)
    assert (
        len(found) == 20
    )  # per language: monthly, round, year, notices, two surveys; the half-year pack (4)
    for language, path in found:
        html = path.read_text("utf-8")
        for leak in LEAKS:
            assert leak not in html and leak.replace("<", "&lt;") not in html, (path, leak)
        none_label = catalogue(language)["courtesy.report.label.none"]
        text = read(html)
        assert text.page_lang == language
        for chunk in text.own + text.other:
            if chunk != none_label:
                assert not re.search(r"\bNone\b", chunk), (path.name, chunk)


def test_no_label_is_left_in_the_other_language(demo_reports: dict[str, DemoResult]) -> None:
    for language, path in pages(demo_reports):
        text = read(path.read_text("utf-8"))
        assert text.own
        if language == "en":
            chinese = [chunk for chunk in text.own if CJK.search(chunk)]
            assert chinese == [], (path.name, chinese[:5])
            assert any(CJK.search(chunk) for chunk in text.other), "names marked lang=zh-TW"
        else:
            # data such as "LED 燈泡 BrightLite 12W" is Chinese with brand names: fine
            english = [c for c in text.own if LATIN_WORD.search(c) and not CJK.search(c)]
            assert english == [], (path.name, english[:5])


def test_english_grades_and_chinese_grades_follow_the_page(
    demo_reports: dict[str, DemoResult],
) -> None:
    for language, path in pages(demo_reports):
        if not path.name.startswith("courtesy-"):
            continue
        own = " ".join(read(path.read_text("utf-8")).own)
        if language == "en":
            assert not re.search("[甲乙丙丁優]", own), path.name
            assert re.search(r"\b(Excellent|A|B|C|D)\b", own)
        else:
            assert re.search("[甲乙丙丁優]", own)


def test_pages_write_roc_dates_in_chinese_and_western_in_english(
    demo_reports: dict[str, DemoResult],
) -> None:
    for language, path in pages(demo_reports):
        text = " ".join(read(path.read_text("utf-8")).own)
        iso = re.findall(r"\b20\d\d-\d\d-\d\d\b", text)
        roc = re.findall(r"\b1\d\d/\d\d/\d\d\b", text)
        if language == "zh-TW":
            assert roc and not iso, (path.name, iso[:3])
        else:
            assert iso and not roc, (path.name, roc[:3])
