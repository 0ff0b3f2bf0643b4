"""What each category's expiry reminder says about renewing (in both languages)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from storage.models import (
    Category,
    CategoryRenewal,
)


def fetch_category_renewal(session: Session, *, code: str) -> CategoryRenewal | None:
    return session.exec(
        select(CategoryRenewal)
        .join(Category, col(Category.id) == CategoryRenewal.category_id)
        .where(Category.code == code)
    ).first()


def save_renewal(
    session: Session, *, category_id: int, text_zh: str, text_en: str, now: datetime
) -> None:
    found = session.get(CategoryRenewal, category_id)
    if found is None:
        session.add(
            CategoryRenewal(
                category_id=category_id, text_zh=text_zh, text_en=text_en, updated_at=now
            )
        )
    else:
        found.text_zh, found.text_en, found.updated_at = text_zh, text_en, now
        session.add(found)
    session.flush()
