"""Rows the query tests write directly, with exactly the dates and states a test needs."""

from __future__ import annotations

from datetime import date, datetime, time
from itertools import count
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from storage.models import Case, Category, Person, Unit

TZ = ZoneInfo("Asia/Taipei")
_numbers = count(50001)
"""Case numbers of these rows: far above what a test files or imports itself."""


def unit_id(session: Session, code: str) -> int:
    found = session.exec(select(Unit.id).where(Unit.code == code)).one()
    assert found is not None
    return found


def category_id(session: Session, code: str) -> int:
    found = session.exec(select(Category.id).where(Category.code == code)).one()
    assert found is not None
    return found


def person(session: Session, telegram_id: int, **fields: object) -> Person:
    """A person row (first name "chat <id>" unless given); flushed, so it has its id."""
    fields.setdefault("first_name", f"chat {telegram_id}")
    row = Person(telegram_id=telegram_id, **fields)  # type: ignore[arg-type]
    session.add(row)
    session.flush()
    return row


def case(
    session: Session,
    received_on: date,
    *,
    kind: str = "product",
    due_on: date | None = None,
    closed_on: date | None = None,
    state: str | None = None,
    unit: str | None = None,
    category: str | None = None,
    closure: str | None = None,
    days_to_close: int | None = None,
    replied_on: date | None = None,
    subject: str = "行動電源",
    channel: str = "telegram",
) -> Case:
    """A case received on `received_on` (due 30 days later unless given), closed when
    `closed_on` is given; flushed."""
    seq = next(_numbers)
    row = Case(
        kind=kind,
        channel=channel,
        subject=subject,
        description="—",
        number=f"{kind[0].upper()}{received_on.year}-{seq:05d}",
        year=received_on.year,
        seq=seq,
        state=state or ("closed" if closed_on else "received"),
        unit_id=unit_id(session, unit) if unit else None,
        category_id=category_id(session, category) if category else None,
        received_at=datetime.combine(received_on, time(10), tzinfo=TZ),
        received_on=received_on,
        due_on=due_on or date.fromordinal(received_on.toordinal() + 30),
        closed_on=closed_on,
        closure=closure,
        days_to_close=days_to_close,
        replied_on=replied_on,
    )
    session.add(row)
    session.flush()
    return row
