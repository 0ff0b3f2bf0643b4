"""The frame every report page shares: the produced-on line, page numbers as CSS counters in
each language, and `lang` marks on text written in the other language."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup

from kernel.pages import _counter_css, in_language, page, render_page
from kernel.reporting import TAIPEI

PRODUCED = datetime(2026, 11, 26, 9, 30, tzinfo=TAIPEI)


def test_a_chinese_page_says_when_it_was_produced_in_roc_dates() -> None:
    frame = page("zh-TW", "月報", PRODUCED, roc=True)
    assert frame.lang == "zh-TW"
    assert frame.title == "月報"
    assert frame.produced == "產製時間：115/11/26 09:30"
    assert frame.roc is True


def test_page_numbers_become_css_counters_around_the_quoted_words() -> None:
    assert page("en", "T", PRODUCED, roc=False).page_counter_css == Markup(
        '"Page " counter(page) " of " counter(pages)'
    )
    assert page("zh-TW", "T", PRODUCED, roc=True).page_counter_css == Markup(
        '"第 " counter(page) " 頁，共 " counter(pages) " 頁"'
    )


def test_the_produced_line_is_also_given_as_a_css_string() -> None:
    frame = page("en", "T", PRODUCED, roc=False)
    assert frame.produced == "Produced 2026-11-26 09:30"
    assert frame.produced_css == frame.produced


def test_quotes_backslashes_and_line_ends_cannot_break_out_of_a_css_string() -> None:
    assert _counter_css('say "{page}"\\\n{pages}') == Markup(
        '"say \\"" counter(page) "\\"\\\\ " counter(pages)'
    )


def test_chinese_text_in_an_english_page_is_marked_and_escaped() -> None:
    assert in_language("王小明 <b>", "en") == Markup('<span lang="zh-TW">王小明 &lt;b&gt;</span>')
    assert in_language("Alice", "en") == Markup("Alice")


def test_english_words_in_a_chinese_page_are_marked_but_codes_and_numbers_are_not() -> None:
    assert in_language("Bureau of Standards", "zh-TW") == Markup(
        '<span lang="en">Bureau of Standards</span>'
    )
    assert in_language("標準檢驗局 BSMI", "zh-TW") == Markup("標準檢驗局 BSMI")
    assert in_language("A1", "zh-TW") == Markup("A1")
    assert in_language("12.5 %", "zh-TW") == Markup("12.5 %")


def test_nothing_is_an_empty_string_not_none() -> None:
    assert in_language(None, "en") == Markup("")
    assert in_language(3, "zh-TW") == Markup("3")


def test_a_report_renders_its_frame_in_the_page_language() -> None:
    frame = page("en", "Monthly summary", PRODUCED, roc=False)
    html = render_page("reports/base.html.j2", page=frame)
    assert '<html lang="en">' in html
    assert "<title>Monthly summary</title>" in html
    assert "Produced 2026-11-26 09:30" in html
    assert 'counter(page) " of " counter(pages)' in html
