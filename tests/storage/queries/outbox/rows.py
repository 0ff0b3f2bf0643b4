"""Rows the outbox query tests share: people, notices and outbox rows as the features write
them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from storage.models import Delivery, Notice, Person
from storage.models.notices import BULK, NoticeKind
from storage.queries.outbox.enqueue import enqueue

NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
LATER = NOW + timedelta(minutes=5)


def person(session: Session, chat_id: int, *, language: str = "en", blocked: bool = False) -> int:
    row = Person(telegram_id=chat_id, first_name=f"p{chat_id}", language=language, blocked=blocked)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def notice(session: Session, title: str = "Notice", *, kind: str = NoticeKind.NOTICE.value) -> int:
    row = Notice(title=title, body="Body.", kind=kind)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def released(
    session: Session, chats: list[int], *, priority: int = BULK, title: str = "Notice"
) -> int:
    """A notice released to `chats` (each with its person), as `publish` does; its id."""
    notice_id = notice(session, title)
    people = [(person(session, chat), chat) for chat in chats]
    enqueue(session=session, notice_id=notice_id, recipients=people, now=NOW, priority=priority)
    return notice_id


def delivery(session: Session, notice_id: int, chat_id: int) -> Delivery:
    return session.exec(
        select(Delivery).where(col(Delivery.notice_id) == notice_id, Delivery.chat_id == chat_id)
    ).one()
