"""Rows the registry query tests share: a category's id, certificates and chats."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from storage.models import Category, Person
from storage.queries.registry.certificates import fetch_certificate_ids, insert_certificates

TZ = ZoneInfo("Asia/Taipei")
NOW = datetime.combine(date(2026, 1, 5), time(10), tzinfo=TZ)
FIRM = "83045210"
OTHER = "27505051"


def category_id(session: Session, code: str = "rpc") -> int:
    found = session.exec(select(Category.id).where(Category.code == code)).one()
    assert found is not None
    return found


def certificate(
    session: Session, number: str, expires_on: date, *, tax_id: str = FIRM, code: str = "rpc"
) -> int:
    """One certificate written the way an import writes them; its id."""
    kind = category_id(session, code)
    row = {
        "created_at": NOW,
        "tax_id": tax_id,
        "category_id": kind,
        "number": number,
        "product": f"product {number}",
        "holder": None,
        "expires_on": expires_on,
        "withdrawn_at": None,
        "updated_at": NOW,
    }
    insert_certificates(session=session, rows=[row])
    return fetch_certificate_ids(session=session, keys=[(kind, number)])[(kind, number)]


def chat(session: Session, telegram_id: int, tax_id: str | None, *, blocked: bool = False) -> int:
    """A chat holding `tax_id` in its profile; its person id."""
    person = Person(
        telegram_id=telegram_id, first_name=f"chat {telegram_id}", tax_id=tax_id, blocked=blocked
    )
    session.add(person)
    session.flush()
    assert person.id is not None
    return person.id
