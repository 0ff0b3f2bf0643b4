"""Notices targeted by 統一編號: the numbers a notice was sent to, the chats they reach
(with those of its categories, each once), and their outbox rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, exists, func, insert, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from storage.models import (
    Delivery,
    NoticeTaxId,
    Person,
    Subscription,
)
from storage.queries.bulk import bulk_insert

NOTICE_TAX_ID_TABLE: Table = NoticeTaxId.__table__  # type: ignore[attr-defined]


def add_notice_tax_ids(session: Session, *, notice_id: int, tax_ids: Sequence[str]) -> None:
    """The 統一編號 a notice is sent to, each once."""
    rows = [{"notice_id": notice_id, "tax_id": t} for t in dict.fromkeys(tax_ids)]
    bulk_insert(session=session, table=NOTICE_TAX_ID_TABLE, rows=rows)


def fetch_notice_tax_ids(session: Session, *, notice_id: int) -> list[str]:
    rows = session.execute(
        sa_select(col(NoticeTaxId.tax_id))
        .where(col(NoticeTaxId.notice_id) == notice_id)
        .order_by(col(NoticeTaxId.tax_id))
    ).all()
    return [r[0] for r in rows]


def fetch_reached_tax_ids(session: Session, *, notice_id: int) -> set[str]:
    """The notice's numbers whose chats have an outbox row of it."""
    rows = session.execute(
        sa_select(col(NoticeTaxId.tax_id)).where(
            col(NoticeTaxId.notice_id) == notice_id,
            exists().where(
                col(Delivery.notice_id) == notice_id,
                col(Delivery.person_id) == Person.id,
                col(Person.tax_id) == NoticeTaxId.tax_id,
            ),
        )
    ).all()
    return {r[0] for r in rows}


def count_union_recipients(
    session: Session, *, category_ids: Sequence[int], tax_ids: Sequence[str]
) -> int:
    """How many chats a notice to these categories and numbers would reach now, each once."""
    people = sa_select(col(Person.id)).where(
        col(Person.blocked).is_(False),
        or_(
            col(Person.id).in_(
                sa_select(col(Subscription.person_id)).where(
                    col(Subscription.category_id).in_(list(category_ids))
                )
            ),
            col(Person.tax_id).in_(list(tax_ids)),
        ),
    )
    return int(
        session.execute(sa_select(func.count()).select_from(people.subquery())).scalar_one()
    )


def count_union_by_language(
    session: Session,
    *,
    category_ids: Sequence[int],
    tax_ids: Sequence[str],
    default_language: str,
) -> dict[str, int]:
    """Like `notices.count_recipients_by_language`, for the chats of these categories and
    these numbers, each once."""
    people = (
        sa_select(col(Person.id), col(Person.language))
        .where(
            col(Person.blocked).is_(False),
            or_(
                col(Person.id).in_(
                    sa_select(col(Subscription.person_id)).where(
                        col(Subscription.category_id).in_(list(category_ids))
                    )
                ),
                col(Person.tax_id).in_(list(tax_ids)),
            ),
        )
        .subquery()
    )
    rows = session.execute(
        sa_select(people.c.language, func.count()).group_by(people.c.language)
    ).all()
    counts: dict[str, int] = {}
    for language, count in rows:
        key = language if language in ("zh-TW", "en") else default_language
        counts[key] = counts.get(key, 0) + int(count)
    return counts


def targeted_people(notice_id: Any) -> Any:
    """A subquery of the ids of the chats holding a 統一編號 the notice was targeted at."""
    return sa_select(col(Person.id)).join(
        NoticeTaxId,
        and_(col(NoticeTaxId.tax_id) == Person.tax_id, col(NoticeTaxId.notice_id) == notice_id),
    )


def add_targeted_deliveries(session: Session, *, notice_id: int, now: datetime) -> None:
    """Outbox rows for the chats of the notice's 統一編號 not already written (a chat
    subscribed to one of its categories too gets it once), in one INSERT … SELECT."""
    source: Any = sa_select(
        bindparam("notice", value=notice_id).label("notice_id"),
        col(Person.id).label("person_id"),
        col(Person.telegram_id).label("chat_id"),
        bindparam("pending", value="pending").label("status"),
        bindparam("zero", value=0).label("attempts"),
        bindparam("due", value=now, type_=Delivery.__table__.c.next_attempt_at.type).label(  # type: ignore[attr-defined]
            "next_attempt_at"
        ),
    ).where(
        col(Person.blocked).is_(False),
        col(Person.id).in_(targeted_people(notice_id)),
        ~exists().where(
            col(Delivery.notice_id) == notice_id, col(Delivery.person_id) == Person.id
        ),
    )
    session.execute(
        insert(Delivery).from_select(
            ["notice_id", "person_id", "chat_id", "status", "attempts", "next_attempt_at"],
            source,
        )
    )
