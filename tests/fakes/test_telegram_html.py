"""HTML parse mode: refused where Telegram's parser refuses it, measured by its visible text."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest

from tests.fakes import ApiError, visible_text

USER = 4201


async def test_invalid_html_is_refused_like_telegram_does(bot: Bot) -> None:
    await bot.send_message(USER, "<b>粗體</b> &amp; <i>斜體</i>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(USER, "1 < 2", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(USER, "<b>open", parse_mode=ParseMode.HTML)


def test_visible_text_drops_tags_and_unescapes_entities_only_in_html_mode() -> None:
    marked = '<b>粗體</b> &amp; <a href="https://example.org">連結</a>'
    assert visible_text(marked, "HTML") == "粗體 & 連結"
    assert visible_text(marked, "html") == "粗體 & 連結"
    assert visible_text(marked, None) == marked


@pytest.mark.parametrize(
    ("text", "wording"),
    [
        ("a < b", "unexpected '<' at byte offset 2"),
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<b>x</i>", 'Unexpected end tag "i" at byte offset 4'),
        ("<b><i>x</i>", 'Can\'t find end tag corresponding to start tag "b"'),
    ],
)
def test_html_telegram_refuses_is_refused_with_its_wording(text: str, wording: str) -> None:
    with pytest.raises(ApiError) as refused:
        visible_text(text, "HTML")
    assert refused.value.status == 400
    assert refused.value.description == f"Bad Request: can't parse entities: {wording}"
