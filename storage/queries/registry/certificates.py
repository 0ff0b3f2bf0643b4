"""The certificate register's certificates: the keys an import compares against, bulk
inserts and updates, withdrawals, and the views the chat and the notices overview show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from storage.models import (
    Category,
    Certificate,
)
from storage.queries.bulk import bulk_insert, chunks
from storage.queries.registry.firm_chats import linked_chat_exists

CERTIFICATE_TABLE: Table = Certificate.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class StoredCertificate:
    id: int
    tax_id: str
    category_id: int
    number: str
    product: str
    holder: str | None
    expires_on: date
    withdrawn: bool


def fetch_certificate_keys(session: Session) -> dict[tuple[int, str], StoredCertificate]:
    """Every certificate by (category id, number)."""
    rows = session.execute(
        sa_select(
            CERTIFICATE_TABLE.c.id,
            CERTIFICATE_TABLE.c.tax_id,
            CERTIFICATE_TABLE.c.category_id,
            CERTIFICATE_TABLE.c.number,
            CERTIFICATE_TABLE.c.product,
            CERTIFICATE_TABLE.c.holder,
            CERTIFICATE_TABLE.c.expires_on,
            CERTIFICATE_TABLE.c.withdrawn_at,
        )
    ).all()
    return {
        (r[2], r[3]): StoredCertificate(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7] is not None)
        for r in rows
    }


def insert_certificates(session: Session, *, rows: Sequence[dict[str, Any]]) -> None:
    """New certificates (dicts of the table's columns)."""
    bulk_insert(session=session, table=CERTIFICATE_TABLE, rows=rows)


def update_certificates(session: Session, *, rows: Sequence[dict[str, Any]]) -> None:
    """Changed certificates: dicts with `row_id` and every column set anew (withdrawn_at
    cleared: a certificate in the file is in force)."""
    if not rows:
        return
    table = CERTIFICATE_TABLE
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(
            tax_id=bindparam("new_tax_id"),
            product=bindparam("new_product"),
            holder=bindparam("new_holder"),
            expires_on=bindparam("new_expires_on"),
            withdrawn_at=None,
            updated_at=bindparam("new_updated_at"),
        )
    )
    session.connection().execute(statement, list(rows))


def withdraw_certificates(session: Session, *, ids: Sequence[int], now: datetime) -> None:
    for chunk in chunks(ids):
        session.execute(
            update(Certificate)
            .where(col(Certificate.id).in_(chunk))
            .values(withdrawn_at=now, updated_at=now)
        )


def fetch_certificate_ids(
    session: Session, *, keys: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], int]:
    """(category id, number) → id for the given keys."""
    found: dict[tuple[int, str], int] = {}
    by_category: dict[int, list[str]] = {}
    for category_id, number in keys:
        by_category.setdefault(category_id, []).append(number)
    for category_id, numbers in by_category.items():
        for chunk in chunks(numbers):
            rows = session.execute(
                sa_select(CERTIFICATE_TABLE.c.id, CERTIFICATE_TABLE.c.number).where(
                    CERTIFICATE_TABLE.c.category_id == category_id,
                    CERTIFICATE_TABLE.c.number.in_(chunk),
                )
            ).all()
            for row_id, number in rows:
                found[(category_id, number)] = row_id
    return found


@dataclass(frozen=True)
class CertificateView:
    id: int
    kind: str
    kind_zh: str
    kind_en: str
    number: str
    product: str
    holder: str | None
    tax_id: str
    expires_on: date
    withdrawn: bool


def _certificate_view() -> Any:
    return sa_select(
        col(Certificate.id),
        col(Category.code),
        col(Category.name_zh),
        col(Category.name_en),
        col(Certificate.number),
        col(Certificate.product),
        col(Certificate.holder),
        col(Certificate.tax_id),
        col(Certificate.expires_on),
        col(Certificate.withdrawn_at),
    ).join(Category, col(Category.id) == Certificate.category_id)


def _as_view(r: Any) -> CertificateView:
    return CertificateView(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9] is not None)


def fetch_certificate(session: Session, *, certificate_id: int) -> CertificateView | None:
    row = session.execute(_certificate_view().where(col(Certificate.id) == certificate_id)).first()
    return None if row is None else _as_view(row)


def fetch_certificates_of(session: Session, *, tax_id: str) -> list[CertificateView]:
    rows = session.execute(
        _certificate_view()
        .where(col(Certificate.tax_id) == tax_id)
        .order_by(col(Certificate.expires_on), col(Certificate.id))
    ).all()
    return [_as_view(r) for r in rows]


def fetch_unreachable_certificates(
    session: Session, *, first: date, last: date
) -> list[CertificateView]:
    """Certificates in force expiring from `first` to `last` whose firm has no chat."""
    rows = session.execute(
        _certificate_view()
        .where(
            col(Certificate.withdrawn_at).is_(None),
            col(Certificate.expires_on) >= first,
            col(Certificate.expires_on) <= last,
            ~linked_chat_exists(Certificate.tax_id),
        )
        .order_by(col(Certificate.expires_on), col(Certificate.id))
    ).all()
    return [_as_view(r) for r in rows]
