"""An outbox message as the worker sends it (`bot/delivery/prepared.py`): a staff notice loaded
with its categories in both languages and its attachment's bytes only while Telegram has no
file id for it, rendered once per language; a composed kind rendered from its record, and
nothing to send once that record or the notice is gone, or nothing composes the kind."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import Session, delete, select

from bot.delivery.prepared import load_notice
from bot.notices.publishing import publish as publish_notice
from bot.settings import Settings
from kernel.clock import utcnow
from storage.db import Database
from storage.models import Notice, OutboxText
from storage.models.notices import NoticeKind
from storage.queries import notices as q
from storage.queries.outbox.texts import enqueue_reminder
from tests.bot.delivery.broadcasts import add_subscribers

REMIND = {"period": "2027-H1", "deadline": "116/07/31", "left": 3, "scored": 9, "units": 12}


def staff_notice(db: Database, **attachment: object) -> int:
    add_subscribers(db, [7501])
    published = db.call(
        publish_notice,
        title="Rules",
        body="Read them.",
        codes=["cns"],
        created_by_id=None,
        **attachment,
    )
    return published.notice_id


def reminder(db: Database) -> tuple[int, int]:
    """A self-assessment reminder in the outbox: (its notice id, its text's id)."""
    db.call(
        enqueue_reminder,
        kind=NoticeKind.ASSESSMENT_REMINDER.value,
        key="assessment.remind",
        values={**REMIND, "code": "2027-H1"},
        chat_id=7502,
        once_key="prepared",
        now=utcnow(),
    )
    with db.transaction() as session:
        notice = session.exec(
            select(Notice).where(Notice.kind == NoticeKind.ASSESSMENT_REMINDER.value)
        ).one()
        assert notice.id is not None and notice.ref_id is not None
        return notice.id, notice.ref_id


def test_a_notice_is_loaded_with_its_categories_in_both_languages_and_rendered_once(
    db: Database, settings: Settings
) -> None:
    notice_id = staff_notice(db)
    prepared = db.call(load_notice, notice_id=notice_id, settings=settings)
    assert prepared is not None and prepared.composed is None
    assert prepared.kind == NoticeKind.NOTICE.value and prepared.title == "Rules"
    assert set(prepared.category_names) == {"zh-TW", "en"}
    assert prepared.category_names["zh-TW"] != prepared.category_names["en"]
    english = prepared.parts("en")
    assert prepared.parts("en") is english  # rendered once, whoever asks again
    assert "Rules" in english[0].text and "Read them." in english[0].text
    assert prepared.parts("zh-TW") != english


def test_an_attachments_bytes_are_loaded_only_until_telegram_has_its_file_id(
    db: Database, settings: Settings
) -> None:
    notice_id = staff_notice(db, attachment_name="rules.pdf", attachment_content=b"%PDF-1.4")
    first = db.call(load_notice, notice_id=notice_id, settings=settings)
    assert first is not None
    assert (first.attachment_content, first.attachment_file_id) == (b"%PDF-1.4", None)
    assert "rules.pdf" in first.parts("en")[-1].text
    db.call(q.save_attachment_file_id, notice_id=notice_id, file_id="BQAC-rules")
    later = db.call(load_notice, notice_id=notice_id, settings=settings)
    assert later is not None
    assert (later.attachment_content, later.attachment_file_id) == (None, "BQAC-rules")


def test_a_composed_kind_is_rendered_from_its_record_in_each_language(
    db: Database, settings: Settings
) -> None:
    notice_id, _ = reminder(db)
    prepared = db.call(load_notice, notice_id=notice_id, settings=settings)
    assert prepared is not None and prepared.composed is not None
    assert prepared.kind == NoticeKind.ASSESSMENT_REMINDER.value
    (english,) = prepared.parts("en")
    (chinese,) = prepared.parts("zh-TW")
    assert "Self-assessment 2027-H1" in english.text and english.text != chinese.text


def test_a_composed_message_whose_record_vanished_has_nothing_to_send(
    db: Database, settings: Settings
) -> None:
    notice_id, text_id = reminder(db)

    def vanish(session: Session) -> None:
        session.execute(delete(OutboxText).where(OutboxText.id == text_id))  # type: ignore[arg-type]

    db.call(vanish)
    assert db.call(load_notice, notice_id=notice_id, settings=settings) is None


def test_a_gone_notice_or_a_kind_nothing_composes_has_nothing_to_send(
    db: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    assert db.call(load_notice, notice_id=10_000, settings=settings) is None

    def odd_kind(session: Session) -> int:
        notice = Notice(title="odd", body="", kind="telepathy", ref_id=1)
        session.add(notice)
        session.flush()
        assert notice.id is not None
        return notice.id

    notice_id = db.call(odd_kind)
    with caplog.at_level(logging.ERROR, logger="bot.delivery.prepared"):
        assert db.call(load_notice, notice_id=notice_id, settings=settings) is None
    assert [r.getMessage() for r in caplog.records] == [
        f"notice {notice_id}: nothing composes kind 'telepathy'"
    ]
