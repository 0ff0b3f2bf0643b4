"""Keyboards: a composed message's buttons become Telegram's inline keyboard row for row, and
the language keyboard ticks the current language."""

from __future__ import annotations

from bot.edge.keyboards import LANGUAGE, keyboard, language_keyboard
from kernel.outgoing import Button, Part


def test_a_message_without_buttons_has_no_keyboard() -> None:
    assert keyboard(Part("text")) is None


def test_buttons_keep_their_rows_labels_and_data() -> None:
    part = Part(
        "text",
        ((Button("訂閱", "subs:t:1"), Button("取消", "subs:x")), (Button("完成", "subs:done"),)),
    )
    markup = keyboard(part)
    assert markup is not None
    rows = [[(b.text, b.callback_data) for b in row] for row in markup.inline_keyboard]
    assert rows == [[("訂閱", "subs:t:1"), ("取消", "subs:x")], [("完成", "subs:done")]]


def test_the_language_keyboard_ticks_the_current_language_only() -> None:
    for current, ticked in (("en", "✅ English"), ("zh-TW", "✅ 中文（臺灣）")):
        (row,) = language_keyboard(current).inline_keyboard
        labels = [b.text for b in row]
        assert ticked in labels
        assert sum(label.startswith("✅") for label in labels) == 1
        assert [b.callback_data for b in row] == [f"{LANGUAGE}:zh-TW", f"{LANGUAGE}:en"]
