"""Notice-network rules on a real database: 統一編號, rendering and splitting, release, categories,
forgetting, and the demo year."""

from __future__ import annotations

import html
import random
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlmodel import Session, col, select

from bot import notices
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.db import Database
from storage.models import Delivery, Notice, Person, Subscription
from storage.queries import notices as q
from tests.fakes import visible_text


def add_firm(
    session: Session, telegram_id: int, codes: list[str], *, blocked: bool = False
) -> Person:
    person = Person(telegram_id=telegram_id, first_name=f"firm {telegram_id}", blocked=blocked)
    session.add(person)
    session.flush()
    assert person.id is not None
    notices.subscribe_by_codes(session=session, person_id=person.id, codes=codes, language="en")
    return person


# --- 統一編號 ---------------------------------------------------------------------------------


@pytest.mark.parametrize("tax_id", ["04595257", "10000004", "10000010", "22000470", "22000471"])
def test_valid_tax_ids_pass_the_2023_check_rule(tax_id: str) -> None:
    assert notices.tax_id_is_valid(tax_id)


def test_a_number_divisible_by_five_but_not_ten_passes_since_the_2023_revision() -> None:
    # 1×1 + 4×1 = 5: the old "divisible by 10" rule refused it; the 2023 rule accepts it.
    assert notices.tax_id_is_valid("10000004")


def test_a_seventh_digit_of_seven_lets_the_total_plus_one_be_divisible() -> None:
    # 2+4+0+0+0+8+10+0 = 24: not divisible by 5, but 25 is, and the seventh digit is 7.
    assert notices.tax_id_is_valid("22000470")
    # The same total without a 7 in the seventh digit fails.
    assert not notices.tax_id_is_valid("22000480")


@pytest.mark.parametrize("tax_id", ["12345678", "22000472", "10000001", "1234567", "1234567a"])
def test_tax_ids_failing_the_check_or_the_shape_are_refused(tax_id: str) -> None:
    assert not notices.tax_id_is_valid(tax_id)


def test_clean_tax_id_says_whether_the_shape_or_the_check_digit_is_wrong() -> None:
    with pytest.raises(UserError) as shape:
        notices.clean_tax_id("1234")
    assert shape.value.key == "notices.tax_id_shape"
    with pytest.raises(UserError) as check:
        notices.clean_tax_id("12345678")
    assert check.value.key == "notices.tax_id_check"
    assert notices.clean_tax_id(" 0459-5257 ") == "04595257"


# --- rendering --------------------------------------------------------------------------------


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
    [message] = notices.render_notice(
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
    [zh] = notices.render_notice(
        language="zh-TW", title="標題", body="內容", category_names=["正字標記", "驗證登錄"]
    )
    [en] = notices.render_notice(
        language="en", title="Title", body="Text", category_names=["CNS Mark", "RPC"]
    )
    assert "類別：正字標記、驗證登錄" in zh and "<b>標題</b>" in zh and "/unsubscribe" in zh
    assert "Categories: CNS Mark, RPC" in en and "<b>Title</b>" in en


def test_a_long_body_is_split_on_paragraph_boundaries_never_mid_tag() -> None:
    paragraphs = [f"Paragraph {i}: " + "tea & <cake> " * 60 for i in range(30)]
    body = "\n\n".join(paragraphs)
    parts = notices.render_notice(
        language="en", title="Long <notice>", body=body, category_names=["CNS Mark"]
    )
    assert len(parts) > 1
    for i, part in enumerate(parts, start=1):
        assert len(part) <= notices.MESSAGE_LIMIT
        assert_balanced(part)
        assert f"{i}/{len(parts)}" in part
    joined = "\n".join(parts)
    for paragraph in paragraphs:  # every paragraph arrives whole, inside one message
        escaped = paragraph.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        assert sum(escaped.strip() in part for part in parts) == 1
        assert escaped.strip() in joined


def test_a_single_paragraph_longer_than_a_message_is_cut_between_lines_and_words() -> None:
    body = "&&&& " * 3000  # one paragraph, every character escapes to five
    parts = notices.render_notice(language="zh-TW", title="T", body=body, category_names=["x"])
    assert len(parts) > 3
    for part in parts:
        assert len(part) <= notices.MESSAGE_LIMIT
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
    parts = notices.render_notice(
        language=language,
        title="T" * notices.TITLE_LIMIT,
        body=body,
        category_names=["市場監督與商品安全"] * 9,
        attachment_name="x" * 250 + ".pdf",
    )
    for part in parts:
        assert telegram_length(part) <= notices.MESSAGE_LIMIT
        assert len(part) <= notices.MESSAGE_LIMIT


def test_a_word_of_ampersands_longer_than_a_message_is_never_cut_inside_an_entity() -> None:
    body = "&" * 5000 + "<>" * 100  # no space, no line: cut between characters
    parts = notices.split_body(body, 3791)
    assert len(parts) > 1
    for part in parts:
        assert_balanced(part)
    assert "".join(html.unescape(p) for p in parts) == body


def test_a_chinese_paragraph_is_cut_after_a_sentence() -> None:
    body = "本局公告修正應施檢驗商品範圍。" * 400
    parts = notices.split_body(body, 1000)
    assert len(parts) > 1
    assert all(part.endswith("。") for part in parts)


def test_the_attachment_is_named_in_the_last_part_of_a_long_notice() -> None:
    body = "\n\n".join("word " * 150 for _ in range(12))
    parts = notices.render_notice(
        language="en", title="T", body=body, category_names=["x"], attachment_name="rules.pdf"
    )
    assert len(parts) > 1
    assert ["📎 Attachment: rules.pdf" in part for part in parts] == [False] * (len(parts) - 1) + [
        True
    ]


# --- publishing and release -------------------------------------------------------------------


def test_release_writes_one_outbox_row_per_subscriber_even_across_categories(db: Database) -> None:
    with db.transaction() as session:
        add_firm(session, 1, ["cns"])
        add_firm(session, 2, ["cns", "rpc"])  # in both categories: one row, not two
        add_firm(session, 3, ["rpc"])
        add_firm(session, 4, ["market"])  # not a recipient
        add_firm(session, 5, ["cns"], blocked=True)  # blocked the bot: skipped
        published = notices.publish(
            session=session, title="T", body="B", codes=["cns", "rpc"], created_by_id=None
        )
    assert published.released and published.recipients == 3
    with db.transaction() as session:
        rows = session.exec(select(Delivery).where(Delivery.notice_id == published.notice_id))
        chats = sorted(r.chat_id for r in rows)
        again = q.release_notice(session=session, notice_id=published.notice_id, now=utcnow())
    assert chats == [1, 2, 3]
    assert again is None  # a notice is released once


def test_publishing_refuses_bad_input_with_a_catalogue_message(db: Database) -> None:
    cases = [
        ({"title": " ", "body": "B", "codes": ["cns"]}, "notices.empty_title"),
        ({"title": "T", "body": "\n \n", "codes": ["cns"]}, "notices.empty_body"),
        ({"title": "T", "body": "B", "codes": ["nope"]}, "notices.unknown_category"),
        ({"title": "T", "body": "B", "codes": []}, "notices.no_category"),
        (
            {"title": "T", "body": "B", "codes": ["cns"], "attachment_size": 51 * 1024 * 1024},
            "notices.attachment_too_big",
        ),
        (
            {"title": "T", "body": "B", "codes": ["cns"], "at": utcnow() - timedelta(hours=1)},
            "notices.at_past",
        ),
    ]
    for kwargs, key in cases:
        with pytest.raises(UserError) as raised:
            db.call(notices.publish, created_by_id=None, **kwargs)
        assert raised.value.key == key
    with db.transaction() as session:
        assert session.exec(select(Notice)).all() == []


def test_a_scheduled_notice_is_released_only_when_due(db: Database) -> None:
    with db.transaction() as session:
        add_firm(session, 1, ["events"])
        due = utcnow() + timedelta(hours=2)
        published = notices.publish(
            session=session, title="T", body="B", codes=["events"], created_by_id=None, at=due
        )
    assert not published.released and published.recipients == 1
    assert db.call(notices.release_due_notices, now=utcnow()) == []
    assert db.call(notices.release_due_notices, now=due + timedelta(seconds=1)) == [
        (published.notice_id, 1)
    ]
    status = db.call(notices.notice_status, notice_id=published.notice_id)
    assert status.as_json() == {
        "notice_id": published.notice_id,
        "total": 1,
        "pending": 1,
        "retrying": 0,
        "sent": 0,
        "blocked": 0,
        "failed": 0,
    }


# --- categories -------------------------------------------------------------------------------


def test_a_retired_category_keeps_history_but_takes_no_new_subscriptions_or_notices(
    db: Database,
) -> None:
    with db.transaction() as session:
        firm = add_firm(session, 1, ["origin"])
        published = notices.publish(
            session=session, title="T", body="B", codes=["origin"], created_by_id=None
        )
        notices.retire_category(session=session, code="origin")
    with db.transaction() as session:
        newcomer = add_firm(session, 2, ["origin"])
        assert newcomer.id is not None and firm.id is not None
        assert q.fetch_subscribed_category_ids(session=session, person_id=newcomer.id) == set()
        assert len(q.fetch_subscribed_category_ids(session=session, person_id=firm.id)) == 1
        assert [
            c.code
            for c in q.fetch_notice_categories(session=session, notice_id=published.notice_id)
        ] == ["origin"]
    with pytest.raises(UserError) as raised:
        db.call(notices.publish, title="T", body="B", codes=["origin"], created_by_id=None)
    assert raised.value.key == "notices.retired_category"


def test_category_codes_are_checked_when_added_and_names_when_renamed(db: Database) -> None:
    created = db.call(notices.create_category, code="Toys", name_zh="玩具", name_en="Toys")
    assert created.code == "toys"
    for code, key in [("toys", "notices.code_taken"), ("a_b", "notices.bad_code")]:
        with pytest.raises(UserError) as raised:
            db.call(notices.create_category, code=code, name_zh="x", name_en="y")
        assert raised.value.key == key
    renamed = db.call(notices.rename_category, code="toys", name_zh="兒童玩具", name_en=None)
    assert (renamed.name_zh, renamed.name_en) == ("兒童玩具", "Toys")
    with pytest.raises(UserError):
        db.call(notices.rename_category, code="toys", name_zh=" ", name_en=None)


# --- forgetting -------------------------------------------------------------------------------


def test_forget_deletes_subscriptions_and_profile_and_stops_unsent_deliveries(
    db: Database,
) -> None:
    with db.transaction() as session:
        firm = add_firm(session, 77, ["cns"])
        assert firm.id is not None
        q.save_profile(session=session, person_id=firm.id, company_name="Acme", tax_id="04595257")
        first = notices.publish(
            session=session, title="A", body="B", codes=["cns"], created_by_id=None
        )
        second = notices.publish(
            session=session, title="C", body="D", codes=["cns"], created_by_id=None
        )
        [sent_row] = session.exec(select(Delivery).where(Delivery.notice_id == first.notice_id))
        assert sent_row.id is not None
        q.record_delivery_results(
            session=session,
            results=[
                q.DeliveryResult(
                    id=sent_row.id,
                    status=q.DeliveryStatus.SENT,
                    attempts=1,
                    next_attempt_at=utcnow(),
                    sent_at=utcnow(),
                )
            ],
        )
        person_id = firm.id
    db.call(notices.forget, person_id=person_id)
    with db.transaction() as session:
        assert session.get(Person, person_id) is None
        assert session.exec(select(Subscription)).all() == []
        rows = {r.notice_id: r for r in session.exec(select(Delivery)).all()}
    # proof of delivery stays (chat id, no person); nothing more will be sent
    assert rows[first.notice_id].status == "sent" and rows[first.notice_id].chat_id == 77
    assert rows[first.notice_id].person_id is None
    assert rows[second.notice_id].status == "failed"


# --- demo -------------------------------------------------------------------------------------


def test_seed_demo_fills_a_year_of_subscribers_and_delivered_notices(db: Database) -> None:
    with db.transaction() as session:
        notices.seed_demo(session=session, rng=random.Random(7), year=2026)
    with db.transaction() as session:
        subscribers = session.exec(select(Subscription.person_id).distinct()).all()
        statuses = notices.recent_statuses(session=session, limit=50)
        sent = session.exec(
            select(Delivery).where(
                col(Delivery.status) == "sent", col(Delivery.sent_at).is_not(None)
            )
        ).all()
    assert len(subscribers) >= 100
    assert len(statuses) == 12
    assert all(s.counts["pending"] == 0 for s in statuses)
    assert len(sent) > 100
