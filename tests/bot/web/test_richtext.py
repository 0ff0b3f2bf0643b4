"""Telegram HTML on a page: Telegram's tags kept, anything else shown as text."""

from __future__ import annotations

from bot.web.richtext import plain_to_page, to_page


def test_telegram_tags_are_kept_and_every_other_tag_is_shown_as_text() -> None:
    page = to_page(
        '<b>粗</b> <i>斜</i> <u>底</u> <s>刪</s> <code>x</code> <a href="https://a.tw/">連結</a>'
        ' <script>alert(1)</script> <b onclick="x">b</b>'
    )
    assert str(page) == (
        '<p><b>粗</b> <i>斜</i> <u>底</u> <s>刪</s> <code>x</code> <a href="https://a.tw/">連結</a>'
        " &lt;script&gt;alert(1)&lt;/script&gt; <b>b</b></p>"
    )


def test_a_link_other_than_the_web_or_mail_is_text_and_tags_left_open_are_closed() -> None:
    assert str(to_page('<a href="javascript:alert(1)">x</a> <b>open')) == (
        "<p>&lt;a href=&#34;javascript:alert(1)&#34;&gt;x&lt;/a&gt; <b>open</b></p>"
    )
    assert str(to_page("<i>a</b>b</i>")) == "<p><i>a&lt;/b&gt;b</i></p>"


def test_blank_lines_make_paragraphs_and_line_breaks_stay() -> None:
    assert str(to_page("一\n二\n\n三")) == "<p>一<br>\n二</p>\n<p>三</p>"


def test_plain_text_is_escaped_as_the_chat_message_escapes_it_and_addresses_link() -> None:
    page = str(plain_to_page("見 https://www.bsmi.gov.tw/x?a=1&b=2。 <b>不是標記</b> & 5 > 3"))
    assert page == (
        '<p>見 <a href="https://www.bsmi.gov.tw/x?a=1&amp;b=2">https://www.bsmi.gov.tw/x?a=1&amp;b=2'
        "</a>。 &lt;b&gt;不是標記&lt;/b&gt; &amp; 5 &gt; 3</p>"
    )
