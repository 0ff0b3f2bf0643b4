"""A notice as Telegram HTML: escaping, both languages, splitting long bodies, and every part
within Telegram's limit."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest

from bot.notices import rendering
from bot.notices.publishing import TITLE_LIMIT
from tests.fakes import visible_text


class TagBalance(HTMLParser):
    """Fails on unbalanced tags and on text that is not valid Telegram HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}>"
        self.stack.pop()


def assert_balanced(text: str) -> None:
    parser = TagBalance()
    parser.feed(text)
    parser.close()
    assert parser.stack == [], f"unclosed tags {parser.stack}"
    # every & starts a complete entity
    assert not re.search(r"&(?!(amp|lt|gt|quot);)", text)


def test_user_text_is_escaped_in_the_rendered_notice() -> None:
    [message] = rendering.render_notice(
        language="en",
        title="<b>Recall</b> & more",
        body="Use <script> & </b> freely",
        category_names=["CNS <Mark>"],
    )
    assert "&lt;b&gt;Recall&lt;/b&gt; &amp; more" in message
    assert "Use &lt;script&gt; &amp; &lt;/b&gt; freely" in message
    assert "CNS &lt;Mark&gt;" in message
    assert_balanced(message)


def test_a_notice_renders_in_each_language_with_its_categories() -> None:
    [zh] = rendering.render_notice(
        language="zh-TW", title="標題", body="內容", category_names=["正字標記", "驗證登錄"]
    )
    [en] = rendering.render_notice(
        language="en", title="Title", body="Text", category_names=["CNS Mark", "RPC"]
    )
    assert "類別：正字標記、驗證登錄" in zh and "<b>標題</b>" in zh and "/unsubscribe" in zh
    assert "Categories: CNS Mark, RPC" in en and "<b>Title</b>" in en


def test_a_long_body_is_split_on_paragraph_boundaries_never_mid_tag() -> None:
    paragraphs = [f"Paragraph {i}: " + "tea & <cake> " * 60 for i in range(30)]
    body = "\n\n".join(paragraphs)
    parts = rendering.render_notice(
        language="en", title="Long <notice>", body=body, category_names=["CNS Mark"]
    )
    assert len(parts) > 1
    for i, part in enumerate(parts, start=1):
        assert len(part) <= rendering.MESSAGE_LIMIT
        assert_balanced(part)
        assert f"{i}/{len(parts)}" in part
    joined = "\n".join(parts)
    for paragraph in paragraphs:  # every paragraph arrives whole, inside one message
        escaped = paragraph.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert sum(escaped.strip() in part for part in parts) == 1
        assert escaped.strip() in joined


def test_a_single_paragraph_longer_than_a_message_is_cut_between_lines_and_words() -> None:
    body = "&&&& " * 3000  # one paragraph, every character escapes to five
    parts = rendering.render_notice(language="zh-TW", title="T", body=body, category_names=["x"])
    assert len(parts) > 3
    for part in parts:
        assert len(part) <= rendering.MESSAGE_LIMIT
        assert_balanced(part)
    assert sum(part.count("&amp;") for part in parts) == 12000


def telegram_length(message: str) -> int:
    """The message as Telegram counts it: parsed HTML (tags checked), in UTF-16 code units."""
    return len(visible_text(message, "HTML").encode("utf-16-le")) // 2


@pytest.mark.parametrize("language", ["zh-TW", "en"])
@pytest.mark.parametrize(
    "body",
    [
        "a" * 3550,  # one part, but header, attachment line and footer together are long
        "\n\n".join("word " * 150 for _ in range(12)),
        "😀" * 3000,  # an emoji counts two
        "這是一段沒有空白的中文說明。" * 400,
    ],
    ids=["one-part", "paragraphs", "emoji", "chinese"],
)
def test_every_part_fits_telegrams_limit_with_a_long_title_attachment_and_emoji(
    language: str, body: str
) -> None:
    parts = rendering.render_notice(
        language=language,
        title="T" * TITLE_LIMIT,
        body=body,
        category_names=["市場監督與商品安全"] * 9,
        attachment_name="x" * 250 + ".pdf",
    )
    for part in parts:
        assert telegram_length(part) <= rendering.MESSAGE_LIMIT
        assert len(part) <= rendering.MESSAGE_LIMIT


def test_a_word_of_ampersands_longer_than_a_message_is_never_cut_inside_an_entity() -> None:
    body = "&" * 5000 + "<>" * 100  # no space, no line: cut between characters
    parts = rendering.split_body(body, 3791)
    assert len(parts) > 1
    for part in parts:
        assert_balanced(part)
    assert "".join(html.unescape(p) for p in parts) == body


def test_a_chinese_paragraph_is_cut_after_a_sentence() -> None:
    body = "本局公告修正應施檢驗商品範圍。" * 400
    parts = rendering.split_body(body, 1000)
    assert len(parts) > 1
    assert all(part.endswith("。") for part in parts)


def test_the_attachment_is_named_in_the_last_part_of_a_long_notice() -> None:
    body = "\n\n".join("word " * 150 for _ in range(12))
    parts = rendering.render_notice(
        language="en", title="T", body=body, category_names=["x"], attachment_name="rules.pdf"
    )
    assert len(parts) > 1
    assert ["📎 Attachment: rules.pdf" in part for part in parts] == [False] * (len(parts) - 1) + [
        True
    ]


@pytest.mark.parametrize(
    ("language", "by_tax_id", "categories_line"),
    [
        ("zh-TW", "本公告依統一編號寄送予貴公司", "類別："),
        ("en", "This notice is sent to your company by its tax ID", "Categories:"),
    ],
)
def test_a_notice_without_categories_says_it_came_by_tax_id_and_offers_no_unsubscribe(
    language: str, by_tax_id: str, categories_line: str
) -> None:
    [targeted] = rendering.render_notice(
        language=language, title="T", body="B", category_names=[], attachment_name="a.pdf"
    )
    assert by_tax_id in targeted
    assert categories_line not in targeted and "/unsubscribe" not in targeted
    assert_balanced(targeted)
    [subscribed] = rendering.render_notice(
        language=language, title="T", body="B", category_names=["CNS"]
    )
    assert f"{categories_line} CNS" in subscribed or f"{categories_line}CNS" in subscribed
    assert "/unsubscribe" in subscribed and by_tax_id not in subscribed
