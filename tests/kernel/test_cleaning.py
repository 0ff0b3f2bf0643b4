"""Text people type is cleaned one way: control characters out (tab and newline kept in a
body), and a name or title on one line with no invisible characters."""

from __future__ import annotations

from kernel.cleaning import one_line, without_controls


def test_a_body_keeps_tabs_and_line_ends_and_loses_other_controls() -> None:
    assert without_controls("a\tb\nc\x00d\x1b[31me\x7f\x9f") == "a\tb\ncd[31me"


def test_carriage_returns_become_newlines_once() -> None:
    assert without_controls("one\r\ntwo\rthree") == "one\ntwo\nthree"


def test_a_name_is_one_line_of_single_spaces() -> None:
    assert one_line("  王小明\n\t 第二行  \r\n") == "王小明 第二行"


def test_a_name_loses_zero_width_characters_and_controls() -> None:
    assert one_line("\ufeff王\u200b小明\x00 \u2060 \u180e") == "王小明"


def test_zero_width_joiners_stay_so_emoji_sequences_survive() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert one_line(f" {family} ") == family


def test_printable_text_is_unchanged() -> None:
    text = "標準檢驗局 BSMI（第一課）& <b>"
    assert without_controls(text) == text
    assert one_line(text) == text
