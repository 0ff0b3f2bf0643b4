"""storage/queries/outbox/texts.py on a real database."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from kernel.i18n import Markup
from storage.db import Database
from storage.models import Delivery, Notice, OutboxText
from storage.models.notices import URGENT, NoticeKind
from storage.queries.outbox.texts import (
    dump_values,
    enqueue_reminder,
    enqueue_text,
    fetch_outbox_text,
    load_values,
)
from tests.storage.queries.outbox.rows import NOW, person


def test_values_keep_dates_and_html_through_the_outbox() -> None:
    values = {"number": "P2026-00001", "due": date(2026, 3, 9), "reply": Markup("<b>ok</b>")}
    stored = dump_values(values)
    assert '"due": {"date": "2026-03-09"}' in stored
    loaded = load_values(stored)
    assert loaded == values
    assert isinstance(loaded["reply"], Markup)


def test_a_text_is_one_urgent_message_of_its_kind_to_every_recipient(db: Database) -> None:
    def run(session: Session) -> None:
        reporter = person(session, 711)
        written = enqueue_text(
            session=session,
            kind=NoticeKind.CASE_NEWS.value,
            key="cases.notify.reply",
            values=dump_values({"number": "P2026-00001"}),
            recipients=[(reporter, 711), (None, 712)],
            now=NOW,
            public=True,
            title="P2026-00001 reply",
        )
        assert written == 2
        message = session.exec(select(Notice).where(Notice.kind == "case_news")).one()
        assert message.title == "P2026-00001 reply" and message.ref_id is not None
        text = fetch_outbox_text(session=session, text_id=message.ref_id)
        assert text is not None and (text.key, text.public) == ("cases.notify.reply", True)
        assert load_values(text.values) == {"number": "P2026-00001"}
        rows = session.exec(select(Delivery).where(Delivery.notice_id == message.id)).all()
        assert sorted(r.chat_id or 0 for r in rows) == [711, 712]
        assert {r.priority for r in rows} == {URGENT}

    db.call(run)


def test_a_text_to_nobody_writes_nothing(db: Database) -> None:
    def run(session: Session) -> None:
        written = enqueue_text(
            session=session,
            kind=NoticeKind.CASE_NEWS.value,
            key="cases.notify.reply",
            values="{}",
            recipients=[],
            now=NOW,
        )
        assert written == 0
        assert session.exec(select(OutboxText)).all() == []

    db.call(run)


def test_a_reminder_is_written_once_for_its_key_in_the_chats_language(db: Database) -> None:
    def remind(session: Session) -> int:
        return enqueue_reminder(
            session=session,
            kind=NoticeKind.CASE_REMINDER.value,
            key="cases.remind.half",
            values={"number": "P2026-00002", "due": date(2026, 3, 20)},
            chat_id=721,
            once_key="half:2:721",
            now=NOW,
        )

    db.call(lambda session: person(session, 721, language="zh-TW"))
    assert db.call(remind) == 1
    assert db.call(remind) == 0  # never twice
    with db.transaction() as session:
        row = session.exec(select(Delivery).where(Delivery.chat_id == 721)).one()
        assert row.once_key == "case_reminder:half:2:721" and row.person_id is not None
        assert (
            len(session.exec(select(Notice).where(col(Notice.kind) == "case_reminder")).all()) == 1
        )


def test_a_reminder_to_a_chat_nobody_holds_still_goes_with_no_person(db: Database) -> None:
    def remind(session: Session) -> int:
        return enqueue_reminder(
            session=session,
            kind=NoticeKind.COURTESY_REMINDER.value,
            key="courtesy.remind.today",
            values={},
            chat_id=722,
            once_key="today:722",
            now=NOW,
        )

    assert db.call(remind) == 1
    with db.transaction() as session:
        row = session.exec(select(Delivery).where(Delivery.chat_id == 722)).one()
        assert row.person_id is None
