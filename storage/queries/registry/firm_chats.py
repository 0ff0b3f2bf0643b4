"""The chats of a firm, found by the 統一編號 in their profile, and a chat's opt-out from
expiry reminders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from storage.models import (
    Person,
    ReminderOptOut,
)
from storage.queries.bulk import chunks


def linked_chat_exists(tax_id_column: Any) -> Any:
    """Whether a chat (not blocked) holds the 統一編號 in `tax_id_column`."""
    return exists().where(col(Person.tax_id) == tax_id_column, col(Person.blocked).is_(False))


def fetch_firm_chats(session: Session, *, tax_id: str) -> tuple[list[tuple[int, int]], int]:
    """The chats holding `tax_id` that take reminders [(person id, chat id)], and how many
    chats hold it at all (blocked ones not counted)."""
    rows = session.execute(
        sa_select(col(Person.id), col(Person.telegram_id), col(ReminderOptOut.person_id))
        .outerjoin(ReminderOptOut, col(ReminderOptOut.person_id) == Person.id)
        .where(col(Person.tax_id) == tax_id, col(Person.blocked).is_(False))
        .order_by(col(Person.id))
    ).all()
    return [(r[0], r[1]) for r in rows if r[2] is None], len(rows)


def fetch_linked_tax_ids(session: Session, *, tax_ids: Sequence[str]) -> set[str]:
    """Which of `tax_ids` some chat (not blocked) holds."""
    found: set[str] = set()
    for chunk in chunks(list(tax_ids)):
        rows = session.execute(
            sa_select(col(Person.tax_id))
            .where(col(Person.tax_id).in_(chunk), col(Person.blocked).is_(False))
            .distinct()
        ).all()
        found.update(r[0] for r in rows)
    return found


def count_tax_id_chats(session: Session, *, tax_ids: Sequence[str]) -> int:
    """How many chats (not blocked) hold one of `tax_ids`."""
    count = 0
    for chunk in chunks(list(tax_ids)):
        count += int(
            session.execute(
                sa_select(func.count())
                .select_from(Person)
                .where(col(Person.tax_id).in_(chunk), col(Person.blocked).is_(False))
            ).scalar_one()
        )
    return count


def fetch_person_tax_id(session: Session, *, person_id: int) -> str | None:
    person = session.get(Person, person_id)
    return None if person is None else person.tax_id


def reminders_off(session: Session, *, person_id: int) -> bool:
    return session.get(ReminderOptOut, person_id) is not None


def chat_reminders_off(session: Session, *, chat_id: int) -> bool:
    """Whether the person of this chat turned certificate expiry reminders off."""
    found = session.execute(
        sa_select(col(ReminderOptOut.person_id))
        .join(Person, col(Person.id) == ReminderOptOut.person_id)
        .where(col(Person.telegram_id) == chat_id)
    ).first()
    return found is not None


def set_reminders_off(session: Session, *, person_id: int, off: bool, now: datetime) -> None:
    found = session.get(ReminderOptOut, person_id)
    if off and found is None:
        session.add(ReminderOptOut(person_id=person_id, created_at=now))
        session.flush()
    elif not off and found is not None:
        session.delete(found)
        session.flush()
