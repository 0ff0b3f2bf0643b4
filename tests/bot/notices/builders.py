"""Builders for the notice-domain tests: a firm subscribed to some categories."""

from __future__ import annotations

from sqlmodel import Session

from bot.notices.subscriptions import subscribe_by_codes
from storage.models import Person


def add_firm(
    session: Session, telegram_id: int, codes: list[str], *, blocked: bool = False
) -> Person:
    person = Person(telegram_id=telegram_id, first_name=f"firm {telegram_id}", blocked=blocked)
    session.add(person)
    session.flush()
    assert person.id is not None
    subscribe_by_codes(session=session, person_id=person.id, codes=codes, language="en")
    return person
