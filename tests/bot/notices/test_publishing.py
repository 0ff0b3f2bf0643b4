"""Publishing and release on a real database: one outbox row per subscriber, refusals with a
catalogue message, and scheduled notices released only when due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.notices import publishing
from bot.notices.status import notice_status
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.db import Database
from storage.models import Delivery, Notice
from storage.queries import notices as q
from tests.factories import add_firm


def test_release_writes_one_outbox_row_per_subscriber_even_across_categories(db: Database) -> None:
    with db.transaction() as session:
        add_firm(session, 1, ["cns"])
        add_firm(session, 2, ["cns", "rpc"])  # in both categories: one row, not two
        add_firm(session, 3, ["rpc"])
        add_firm(session, 4, ["market"])  # not a recipient
        add_firm(session, 5, ["cns"], blocked=True)  # blocked the bot: skipped
        published = publishing.publish(
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
            db.call(publishing.publish, created_by_id=None, **kwargs)
        assert raised.value.key == key
    with db.transaction() as session:
        assert session.exec(select(Notice)).all() == []


def test_a_scheduled_notice_is_released_only_when_due(db: Database) -> None:
    with db.transaction() as session:
        add_firm(session, 1, ["events"])
        due = utcnow() + timedelta(hours=2)
        published = publishing.publish(
            session=session, title="T", body="B", codes=["events"], created_by_id=None, at=due
        )
    assert not published.released and published.recipients == 1
    assert db.call(publishing.release_due_notices, now=utcnow()) == []
    assert db.call(publishing.release_due_notices, now=due + timedelta(seconds=1)) == [
        (published.notice_id, 1)
    ]
    status = db.call(notice_status, notice_id=published.notice_id)
    assert status.as_json() == {
        "notice_id": published.notice_id,
        "total": 1,
        "pending": 1,
        "retrying": 0,
        "sent": 0,
        "blocked": 0,
        "failed": 0,
        "unknown": 0,
        "unreached": 0,
        "telegram": {"total": 1, **status.counts},
        "email": {"total": 0, **dict.fromkeys(status.counts, 0)},
    }


@pytest.mark.parametrize(
    ("raw", "key"),
    [(" \n ", "notices.empty_title"), ("T" * 201, "notices.title_too_long")],
)
def test_a_title_is_refused_when_empty_or_too_long(raw: str, key: str) -> None:
    with pytest.raises(UserError) as raised:
        publishing.clean_title(raw)
    assert raised.value.key == key
    assert publishing.clean_title("  Heater\n recall ") == "Heater recall"


def test_a_notice_may_be_scheduled_up_to_a_year_ahead_and_no_further(db: Database) -> None:
    now = utcnow()
    for far in (now + timedelta(days=367), datetime(9999, 12, 31, tzinfo=UTC)):
        with pytest.raises(UserError) as raised:
            db.call(
                publishing.publish, title="T", body="B", codes=["cns"], created_by_id=None, at=far
            )
        assert raised.value.key == "notices.at_too_far"
    near = now + timedelta(days=364)
    published = db.call(
        publishing.publish, title="T", body="B", codes=["cns"], created_by_id=None, at=near
    )
    assert not published.released


def test_nul_and_control_characters_leave_titles_and_bodies_before_storing(db: Database) -> None:
    published = db.call(
        publishing.publish,
        title="Heater\x00 recall\u200b\x1f",
        body="Line one\x00\x0b\r\n\tindented\x9b\n\nLast\x1b.",
        codes=["cns"],
        created_by_id=None,
    )
    with db.transaction() as session:
        notice = session.get(Notice, published.notice_id)
        assert notice is not None
        assert notice.title == "Heater recall"
        assert notice.body == "Line one\n\tindented\n\nLast."
    for invisible in ("\u200b" * 12, "\x00\x01", "\u200b \u2060\ufeff"):
        with pytest.raises(UserError) as raised:
            publishing.clean_title(invisible)
        assert raised.value.key == "notices.empty_title"
