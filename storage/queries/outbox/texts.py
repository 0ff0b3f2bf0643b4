"""Catalogue texts as outbox messages: case news and reminders store a key and its values
(`OutboxText`), rendered in each recipient's language when sent; a reminder's row carries a
unique `once_key`, so it is never written (and never sent) twice."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime

from sqlmodel import Session, col, select

from kernel.i18n import Markup
from storage.models import Delivery, Notice, OutboxText, Person
from storage.models.notices import URGENT, NoticeState
from storage.queries.outbox.enqueue import enqueue


def dump_values(values: dict[str, object]) -> str:
    """A text's values as stored in the outbox: JSON, a date as {"date": ISO}, text already in
    HTML as {"html": text}."""

    def one(value: object) -> object:
        if isinstance(value, Markup):
            return {"html": str(value)}
        if isinstance(value, date):
            return {"date": value.isoformat()}
        return value

    return json.dumps({k: one(v) for k, v in values.items()}, ensure_ascii=False, sort_keys=True)


def load_values(stored: str) -> dict[str, object]:
    """The values `dump_values` stored, dates and HTML as they were."""

    def one(value: object) -> object:
        if isinstance(value, dict) and len(value) == 1:
            if "date" in value:
                return date.fromisoformat(value["date"])
            if "html" in value:
                return Markup(value["html"])
        return value

    return {k: one(v) for k, v in json.loads(stored).items()}


def enqueue_text(
    session: Session,
    *,
    kind: str,
    key: str,
    values: str,
    recipients: Iterable[tuple[int | None, int]],
    now: datetime,
    public: bool = False,
    case_id: int | None = None,
    title: str = "",
    once_keys: dict[int, str] | None = None,
) -> int:
    """Write a catalogue text (`key`, `values` as JSON) as an outbox message of `kind` to the
    recipients, urgent, in the caller's transaction; returns the rows written. With `once_keys`
    the chats whose key is already in the outbox are left out (never twice)."""
    people = list(recipients)
    if once_keys:
        taken = set(
            session.exec(
                select(Delivery.once_key).where(
                    col(Delivery.once_key).in_(list(once_keys.values()))
                )
            ).all()
        )
        people = [(p, chat) for p, chat in people if once_keys.get(chat) not in taken]
    if not people:
        return 0
    row = OutboxText(case_id=case_id, key=key, values=values, public=public)
    session.add(row)
    session.flush()
    notice = Notice(
        title=(title or key)[:200],
        body="",
        state=NoticeState.SCHEDULED.value,
        kind=kind,
        ref_id=row.id,
    )
    session.add(notice)
    session.flush()
    assert notice.id is not None
    return enqueue(
        session=session,
        notice_id=notice.id,
        recipients=people,
        now=now,
        priority=URGENT,
        once_keys=once_keys,
    )


def enqueue_reminder(
    session: Session,
    *,
    kind: str,
    key: str,
    values: dict[str, object],
    chat_id: int,
    once_key: str,
    now: datetime,
) -> int:
    """A reminder (catalogue `key` and `values`) to one chat, never twice for `once_key`
    (prefixed with `kind`); the chat's person, if any, gives the language it is sent in.
    Returns 1 if written, 0 if it already was."""
    person_id = session.exec(select(Person.id).where(col(Person.telegram_id) == chat_id)).first()
    return enqueue_text(
        session=session,
        kind=kind,
        key=key,
        values=dump_values(values),
        recipients=[(person_id, chat_id)],
        now=now,
        once_keys={chat_id: f"{kind}:{once_key}"},
    )


def fetch_outbox_text(session: Session, *, text_id: int) -> OutboxText | None:
    return session.get(OutboxText, text_id)
