"""A message for the outbox: buttons whose callback data Telegram would accept, rows kept."""

from __future__ import annotations

import pytest

from kernel.outgoing import Button, Part


def test_callback_data_of_1_to_64_bytes_is_accepted() -> None:
    assert Button("訂閱", "s").data == "s"
    assert Button("訂閱", "x" * 64).data == "x" * 64


@pytest.mark.parametrize("data", ["", "x" * 65, "訂" * 22])
def test_callback_data_telegram_would_refuse_is_refused_when_the_button_is_made(data: str) -> None:
    with pytest.raises(ValueError, match="callback data must be 1-64 bytes"):
        Button("label", data)


def test_a_part_without_buttons_has_no_rows_and_parts_compare_by_value() -> None:
    assert Part("<b>hi</b>").buttons == ()
    row = (Button("A", "a:1"), Button("B", "b:1"))
    assert Part("x", (row,)) == Part("x", ((Button("A", "a:1"), Button("B", "b:1")),))
