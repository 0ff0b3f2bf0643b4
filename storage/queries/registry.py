"""The certificate register: bulk upserts of an import, expiry reminders (planned, due, their
states), the chats of a firm by 統一編號, reminder opt-outs, notices targeted by 統一編號,
categories' renewal texts, and the figures of the notices report.

It passes 500 lines because these are the SQL of one area (the tables of
`storage/models/registry.py`), kept in one module as every area's queries are; each section
below is short and stands alone."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, exists, func, insert, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.models import (
    Category,
    CategoryRenewal,
    Certificate,
    Delivery,
    ExpiryReminder,
    Notice,
    NoticeTaxId,
    Person,
    ReminderOptOut,
    Subscription,
)
from storage.models.notices import NoticeKind
from storage.models.registry import ReminderState

CERTIFICATE_TABLE: Table = Certificate.__table__  # type: ignore[attr-defined]
REMINDER_TABLE: Table = ExpiryReminder.__table__  # type: ignore[attr-defined]
CHUNK = 500
"""Ids a statement's IN list: well under SQLite's and PostgreSQL's parameter limits."""


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


# --- certificates -------------------------------------------------------------------------


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


def fetch_certificate_keys(*, session: Session) -> dict[tuple[int, str], StoredCertificate]:
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


def bulk_insert(*, session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows (dicts with the same keys) in executemany batches, each value put
    through its column's bind processor once per distinct value rather than once per row.

    An import writes hundreds of thousands of rows whose dates and times repeat (a few
    thousand distinct expiry days); SQLAlchemy's per-row processing of them was most of the
    import's time. The statement is compiled for the connection's dialect, so it is the same
    SQL on SQLite and PostgreSQL."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0].keys())
    compiled = insert(table).values({n: bindparam(n) for n in names}).compile(dialect=dialect)
    processors = {n: table.c[n].type.bind_processor(dialect) for n in names}
    memo: dict[str, dict[Any, Any]] = {n: {} for n in names}

    def value(name: str, raw: Any) -> Any:
        process = processors[name]
        if process is None or raw is None:
            return raw
        seen = memo[name]
        if raw not in seen:
            seen[raw] = process(raw)
        return seen[raw]

    order = compiled.positiontup if compiled.positional else None
    for chunk in _chunks(rows, 5000):
        if order is not None:
            params: list[Any] = [tuple(value(n, row[n]) for n in order) for row in chunk]
        else:
            params = [{n: value(n, row[n]) for n in names} for row in chunk]
        connection.exec_driver_sql(str(compiled), params)


def insert_certificates(*, session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """New certificates (dicts of the table's columns)."""
    bulk_insert(session=session, table=CERTIFICATE_TABLE, rows=rows)


def update_certificates(*, session: Session, rows: Sequence[dict[str, Any]]) -> None:
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


def withdraw_certificates(*, session: Session, ids: Sequence[int], now: datetime) -> None:
    for chunk in _chunks(ids):
        session.execute(
            update(Certificate)
            .where(col(Certificate.id).in_(chunk))
            .values(withdrawn_at=now, updated_at=now)
        )


def fetch_certificate_ids(
    *, session: Session, keys: Sequence[tuple[int, str]]
) -> dict[tuple[int, str], int]:
    """(category id, number) → id for the given keys."""
    found: dict[tuple[int, str], int] = {}
    by_category: dict[int, list[str]] = {}
    for category_id, number in keys:
        by_category.setdefault(category_id, []).append(number)
    for category_id, numbers in by_category.items():
        for chunk in _chunks(numbers):
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


def fetch_certificate(*, session: Session, certificate_id: int) -> CertificateView | None:
    row = session.execute(_certificate_view().where(col(Certificate.id) == certificate_id)).first()
    return None if row is None else _as_view(row)


def fetch_certificates_of(*, session: Session, tax_id: str) -> list[CertificateView]:
    rows = session.execute(
        _certificate_view()
        .where(col(Certificate.tax_id) == tax_id)
        .order_by(col(Certificate.expires_on), col(Certificate.id))
    ).all()
    return [_as_view(r) for r in rows]


def _linked(tax_id_column: Any) -> Any:
    return exists().where(col(Person.tax_id) == tax_id_column, col(Person.blocked).is_(False))


def fetch_unreachable_certificates(
    *, session: Session, first: date, last: date
) -> list[CertificateView]:
    """Certificates in force expiring from `first` to `last` whose firm has no chat."""
    rows = session.execute(
        _certificate_view()
        .where(
            col(Certificate.withdrawn_at).is_(None),
            col(Certificate.expires_on) >= first,
            col(Certificate.expires_on) <= last,
            ~_linked(Certificate.tax_id),
        )
        .order_by(col(Certificate.expires_on), col(Certificate.id))
    ).all()
    return [_as_view(r) for r in rows]


# --- reminders ----------------------------------------------------------------------------


def insert_reminders(*, session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Planned reminders (dicts of the table's columns)."""
    bulk_insert(session=session, table=REMINDER_TABLE, rows=rows)


def fetch_reminder_keys(
    *, session: Session, certificate_ids: Sequence[int]
) -> dict[tuple[int, date, int], tuple[int, str]]:
    """(certificate id, expiry, days before) → (reminder id, state) of these certificates."""
    found: dict[tuple[int, date, int], tuple[int, str]] = {}
    for chunk in _chunks(certificate_ids):
        rows = session.execute(
            sa_select(
                REMINDER_TABLE.c.certificate_id,
                REMINDER_TABLE.c.expires_on,
                REMINDER_TABLE.c.days_before,
                REMINDER_TABLE.c.id,
                REMINDER_TABLE.c.state,
            ).where(REMINDER_TABLE.c.certificate_id.in_(chunk))
        ).all()
        for cert_id, expires_on, days, row_id, state in rows:
            found[(cert_id, expires_on, days)] = (row_id, state)
    return found


def replan_reminders(*, session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Cancelled reminders planned again (an expiry moved back): dicts with `row_id`,
    `new_planned_on`, `new_due_at`."""
    if not rows:
        return
    table = REMINDER_TABLE
    session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(
            state=ReminderState.PLANNED.value,
            planned_on=bindparam("new_planned_on"),
            due_at=bindparam("new_due_at"),
            closed_at=None,
        ),
        list(rows),
    )


def cancel_planned_reminders(
    *, session: Session, certificate_ids: Sequence[int], now: datetime
) -> int:
    """Planned reminders of these certificates cancelled (a renewal or a withdrawal)."""
    count = 0
    for chunk in _chunks(certificate_ids):
        result = session.execute(
            update(ExpiryReminder)
            .where(
                col(ExpiryReminder.certificate_id).in_(chunk),
                col(ExpiryReminder.state) == ReminderState.PLANNED.value,
            )
            .values(state=ReminderState.CANCELLED.value, closed_at=now)
        )
        count += int(getattr(result, "rowcount", 0) or 0)
    return count


@dataclass(frozen=True)
class DueReminder:
    id: int
    certificate_id: int
    days_before: int
    due_at: datetime
    expires_on: date
    tax_id: str


def fetch_due_reminders(*, session: Session, now: datetime, limit: int) -> list[DueReminder]:
    """Planned reminders due by `now`, by certificate, oldest first (the index on state and
    due time answers it)."""
    rows = session.execute(
        sa_select(
            col(ExpiryReminder.id),
            col(ExpiryReminder.certificate_id),
            col(ExpiryReminder.days_before),
            col(ExpiryReminder.due_at),
            col(ExpiryReminder.expires_on),
            col(Certificate.tax_id),
        )
        .join(Certificate, col(Certificate.id) == ExpiryReminder.certificate_id)
        .where(
            col(ExpiryReminder.state) == ReminderState.PLANNED.value,
            col(ExpiryReminder.due_at) <= now,
        )
        .order_by(col(ExpiryReminder.due_at), col(ExpiryReminder.id))
        .limit(limit)
    ).all()
    return [DueReminder(*r) for r in rows]


def close_reminders(
    *,
    session: Session,
    ids: Sequence[int],
    state: ReminderState,
    now: datetime,
) -> int:
    """Close planned reminders in `state`; only rows still planned change (returns how many)."""
    count = 0
    for chunk in _chunks(ids):
        result = session.execute(
            update(ExpiryReminder)
            .where(
                col(ExpiryReminder.id).in_(chunk),
                col(ExpiryReminder.state) == ReminderState.PLANNED.value,
            )
            .values(state=state.value, closed_at=now)
        )
        count += int(getattr(result, "rowcount", 0) or 0)
    return count


def record_reminder_notice(
    *, session: Session, reminder_id: int, notice_id: int, recipients: int
) -> None:
    """The outbox notice a sent reminder went out as, and to how many chats."""
    session.execute(
        update(ExpiryReminder)
        .where(col(ExpiryReminder.id) == reminder_id)
        .values(notice_id=notice_id, recipients=recipients)
    )


@dataclass(frozen=True)
class ReminderView:
    id: int
    certificate_id: int
    expires_on: date
    days_before: int
    planned_on: date
    due_at: datetime
    state: str
    closed_at: datetime | None


def fetch_reminders_of(
    *, session: Session, certificate_ids: Sequence[int]
) -> dict[int, list[ReminderView]]:
    found: dict[int, list[ReminderView]] = {c: [] for c in certificate_ids}
    for chunk in _chunks(certificate_ids):
        rows = session.execute(
            sa_select(
                col(ExpiryReminder.id),
                col(ExpiryReminder.certificate_id),
                col(ExpiryReminder.expires_on),
                col(ExpiryReminder.days_before),
                col(ExpiryReminder.planned_on),
                col(ExpiryReminder.due_at),
                col(ExpiryReminder.state),
                col(ExpiryReminder.closed_at),
            )
            .where(col(ExpiryReminder.certificate_id).in_(chunk))
            .order_by(col(ExpiryReminder.due_at), col(ExpiryReminder.id))
        ).all()
        for r in rows:
            found[r[1]].append(ReminderView(*r))
    return found


def fetch_reminder(*, session: Session, reminder_id: int) -> ExpiryReminder | None:
    return session.get(ExpiryReminder, reminder_id)


# --- chats of a firm ----------------------------------------------------------------------


def fetch_firm_chats(*, session: Session, tax_id: str) -> tuple[list[tuple[int, int]], int]:
    """The chats holding `tax_id` that take reminders [(person id, chat id)], and how many
    chats hold it at all (blocked ones not counted)."""
    rows = session.execute(
        sa_select(col(Person.id), col(Person.telegram_id), col(ReminderOptOut.person_id))
        .outerjoin(ReminderOptOut, col(ReminderOptOut.person_id) == Person.id)
        .where(col(Person.tax_id) == tax_id, col(Person.blocked).is_(False))
        .order_by(col(Person.id))
    ).all()
    return [(r[0], r[1]) for r in rows if r[2] is None], len(rows)


def fetch_linked_tax_ids(*, session: Session, tax_ids: Sequence[str]) -> set[str]:
    """Which of `tax_ids` some chat (not blocked) holds."""
    found: set[str] = set()
    for chunk in _chunks(list(tax_ids)):
        rows = session.execute(
            sa_select(col(Person.tax_id))
            .where(col(Person.tax_id).in_(chunk), col(Person.blocked).is_(False))
            .distinct()
        ).all()
        found.update(r[0] for r in rows)
    return found


def count_tax_id_chats(*, session: Session, tax_ids: Sequence[str]) -> int:
    """How many chats (not blocked) hold one of `tax_ids`."""
    count = 0
    for chunk in _chunks(list(tax_ids)):
        count += int(
            session.execute(
                sa_select(func.count())
                .select_from(Person)
                .where(col(Person.tax_id).in_(chunk), col(Person.blocked).is_(False))
            ).scalar_one()
        )
    return count


def fetch_person_tax_id(*, session: Session, person_id: int) -> str | None:
    person = session.get(Person, person_id)
    return None if person is None else person.tax_id


def reminders_off(*, session: Session, person_id: int) -> bool:
    return session.get(ReminderOptOut, person_id) is not None


def chat_reminders_off(*, session: Session, chat_id: int) -> bool:
    """Whether the person of this chat turned certificate expiry reminders off."""
    found = session.execute(
        sa_select(col(ReminderOptOut.person_id))
        .join(Person, col(Person.id) == ReminderOptOut.person_id)
        .where(col(Person.telegram_id) == chat_id)
    ).first()
    return found is not None


def set_reminders_off(*, session: Session, person_id: int, off: bool, now: datetime) -> None:
    found = session.get(ReminderOptOut, person_id)
    if off and found is None:
        session.add(ReminderOptOut(person_id=person_id, created_at=now))
        session.flush()
    elif not off and found is not None:
        session.delete(found)
        session.flush()


# --- targeted notices ---------------------------------------------------------------------


def add_notice_tax_ids(*, session: Session, notice_id: int, tax_ids: Sequence[str]) -> None:
    rows = [{"notice_id": notice_id, "tax_id": t} for t in dict.fromkeys(tax_ids)]
    for chunk in _chunks(rows, 5000):
        session.execute(insert(NoticeTaxId), list(chunk))


def fetch_notice_tax_ids(*, session: Session, notice_id: int) -> list[str]:
    rows = session.execute(
        sa_select(col(NoticeTaxId.tax_id))
        .where(col(NoticeTaxId.notice_id) == notice_id)
        .order_by(col(NoticeTaxId.tax_id))
    ).all()
    return [r[0] for r in rows]


def fetch_reached_tax_ids(*, session: Session, notice_id: int) -> set[str]:
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
    *, session: Session, category_ids: Sequence[int], tax_ids: Sequence[str]
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
    *,
    session: Session,
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


def add_targeted_deliveries(*, session: Session, notice_id: int, now: datetime) -> None:
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


# --- category renewal texts ---------------------------------------------------------------


def fetch_category_renewal(*, session: Session, code: str) -> CategoryRenewal | None:
    return session.exec(
        select(CategoryRenewal)
        .join(Category, col(Category.id) == CategoryRenewal.category_id)
        .where(Category.code == code)
    ).first()


def save_renewal(
    *, session: Session, category_id: int, text_zh: str, text_en: str, now: datetime
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


# --- the notices report -------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeFigures:
    notices: int
    recipients: int
    counts: dict[str, int]


def fetch_notice_figures(
    *, session: Session, start: datetime, end: datetime, kind: str
) -> NoticeFigures:
    """Notices of `kind` released in [start, end): how many, their recipients, and their
    outbox rows by status."""
    released = (
        col(Notice.kind) == kind,
        col(Notice.released_at) >= start,
        col(Notice.released_at) < end,
    )
    notices, recipients = session.execute(
        sa_select(func.count(), func.coalesce(func.sum(col(Notice.recipients)), 0)).where(
            *released
        )
    ).one()
    rows = session.execute(
        sa_select(col(Delivery.status), func.count())
        .join(Notice, col(Notice.id) == Delivery.notice_id)
        .where(*released)
        .group_by(col(Delivery.status))
    ).all()
    return NoticeFigures(int(notices), int(recipients), {r[0]: int(r[1]) for r in rows})


def fetch_reminders_sent_by_kind(
    *, session: Session, start: datetime, end: datetime
) -> list[tuple[str, int, int]]:
    """(category code, reminders sent, of them to chats) for reminders closed in [start, end)
    as sent, by the certificate's kind."""
    rows = session.execute(
        sa_select(col(Category.code), func.count(), func.sum(col(ExpiryReminder.recipients)))
        .select_from(ExpiryReminder)
        .join(Certificate, col(Certificate.id) == ExpiryReminder.certificate_id)
        .join(Category, col(Category.id) == Certificate.category_id)
        .where(
            col(ExpiryReminder.state) == ReminderState.SENT.value,
            col(ExpiryReminder.closed_at) >= start,
            col(ExpiryReminder.closed_at) < end,
        )
        .group_by(col(Category.code))
        .order_by(col(Category.code))
    ).all()
    return [(r[0], int(r[1]), int(r[2] or 0)) for r in rows]


def count_reminders_unreachable(*, session: Session, start: datetime, end: datetime) -> int:
    return int(
        session.execute(
            sa_select(func.count())
            .select_from(ExpiryReminder)
            .where(
                col(ExpiryReminder.state) == ReminderState.UNREACHABLE.value,
                col(ExpiryReminder.closed_at) >= start,
                col(ExpiryReminder.closed_at) < end,
            )
        ).scalar_one()
    )


def create_reminder_notice(
    *, session: Session, reminder_id: int, title: str, now: datetime
) -> int:
    """The outbox's notice row of one expiry reminder (composed from `ref_id` when sent)."""
    notice = Notice(
        title=title[:200],
        body="",
        kind=NoticeKind.REMINDER.value,
        ref_id=reminder_id,
        scheduled_at=now,
        created_at=now,
    )
    session.add(notice)
    session.flush()
    assert notice.id is not None
    return notice.id
