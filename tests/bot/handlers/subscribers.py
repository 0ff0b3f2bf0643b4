"""What the notice, category, subscription and profile chat tests look up: a category's id by
its code, and the codes a chat is subscribed to."""

from __future__ import annotations

from sqlmodel import select

from storage.db import Database
from storage.models import Category, Person, Subscription


def category_id(db: Database, code: str) -> int:
    with db.transaction() as session:
        found = session.exec(select(Category).where(Category.code == code)).one()
        assert found.id is not None
        return found.id


def subscribed_codes(db: Database, telegram_id: int) -> set[str]:
    with db.transaction() as session:
        rows = session.exec(
            select(Category.code)
            .join(Subscription, Subscription.category_id == Category.id)  # type: ignore[arg-type]
            .join(Person, Person.id == Subscription.person_id)  # type: ignore[arg-type]
            .where(Person.telegram_id == telegram_id)
        ).all()
    return set(rows)
