"""The delivery outbox, for the worker: due rows, outcomes and the parts of long notices
written in batches, a chat that blocked the bot, the lease that keeps one worker per bot token,
and the pause the worker records while an error keeps it from delivering."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Table, and_, bindparam, case, delete, func, or_, text, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kernel.i18n import Markup
from storage.db import OUTBOX_WRITTEN as WRITTEN
from storage.models import Delivery, DeliveryPause, Notice, OutboxText, Person, WorkerLease
from storage.models.notices import (
    BULK,
    OPEN_STATUSES,
    URGENT,
    DeliveryStatus,
    NoticeKind,
    NoticeState,
)

DELIVERY_TABLE: Table = Delivery.__table__  # type: ignore[attr-defined]

NOTIFY_CHANNEL = "bsmi_outbox"
"""PostgreSQL: the channel an outbox write notifies in its transaction (so on commit), heard
by a worker in another process."""


def notify_written(session: Session) -> None:
    """Wake the worker when this transaction commits: in this process by the flag, in any
    other by NOTIFY (PostgreSQL delivers it on commit, and once per transaction)."""
    if not session.info.get(WRITTEN):
        session.info[WRITTEN] = True
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text(f"NOTIFY {NOTIFY_CHANNEL}"))


@dataclass(frozen=True)
class DueDelivery:
    id: int
    notice_id: int
    chat_id: int
    attempts: int
    first_error_at: datetime | None
    language: str | None
    blocked: bool
    parts_sent: int = 0
    priority: int = BULK


def enqueue(
    *,
    session: Session,
    notice_id: int,
    recipients: Iterable[tuple[int | None, int]],
    now: datetime,
    priority: int = BULK,
    once_keys: dict[int, str] | None = None,
) -> int:
    """Put a notice row a feature created into the outbox for the recipients it chose.

    `recipients` are (person id or None, chat id) pairs; each chat gets one row however often it
    is named. The notice is marked released with its recipient count, in the caller's
    transaction, so the feature's own state change and the outbox rows are kept together.
    `priority` puts case news and reminders (`URGENT`) before a broadcast's copies;
    `once_keys` (chat id → key) makes a reminder's row unique. Returns how many rows were
    written.
    """
    rows: dict[int, int | None] = {}
    for person_id, chat_id in recipients:
        rows.setdefault(chat_id, person_id)
    if rows:
        session.execute(
            DELIVERY_TABLE.insert(),
            [
                {
                    "notice_id": notice_id,
                    "person_id": person_id,
                    "chat_id": chat_id,
                    "status": DeliveryStatus.PENDING.value,
                    "attempts": 0,
                    "parts_sent": 0,
                    "next_attempt_at": now,
                    "priority": priority,
                    "once_key": (once_keys or {}).get(chat_id),
                }
                for chat_id, person_id in rows.items()
            ],
        )
        notify_written(session)
    session.execute(
        update(Notice)
        .where(col(Notice.id) == notice_id)
        .values(state=NoticeState.RELEASED.value, released_at=now, recipients=len(rows))
    )
    return len(rows)


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
    *,
    session: Session,
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
    *,
    session: Session,
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


def fetch_outbox_text(*, session: Session, text_id: int) -> OutboxText | None:
    return session.get(OutboxText, text_id)


@dataclass(frozen=True)
class CaseMessage:
    """One message to a case's reporter and what became of it."""

    case_id: int
    key: str
    status: str
    queued_at: datetime | None
    sent_at: datetime | None


UNDELIVERED = (DeliveryStatus.BLOCKED.value, DeliveryStatus.FAILED.value)
REPLY_KEY = "cases.notify.reply"


def fetch_reporter_messages(*, session: Session, case_ids: Sequence[int]) -> list[CaseMessage]:
    """The messages to the reporters of `case_ids` (case news written to the outbox), oldest
    first, each with its delivery's state."""
    if not case_ids:
        return []
    rows = session.execute(
        sa_select(
            col(OutboxText.case_id),
            col(OutboxText.key),
            col(Delivery.status),
            col(Notice.released_at),
            col(Delivery.sent_at),
        )
        .join(Notice, col(Notice.ref_id) == OutboxText.id)
        .join(Delivery, col(Delivery.notice_id) == Notice.id)
        .where(
            col(OutboxText.case_id).in_(list(case_ids)),
            col(OutboxText.public).is_(True),
            col(Notice.kind) == NoticeKind.CASE_NEWS.value,
        )
        .order_by(col(Delivery.id))
    ).all()
    return [CaseMessage(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def fetch_undelivered_replies(*, session: Session, case_ids: Sequence[int]) -> set[int]:
    """Which of `case_ids` have a final reply Telegram would not take (blocked or failed) and
    no later copy of it sent."""
    replies: dict[int, str] = {}
    for message in fetch_reporter_messages(session=session, case_ids=case_ids):
        if message.key == REPLY_KEY:
            replies[message.case_id] = message.status
    return {case_id for case_id, status in replies.items() if status in UNDELIVERED}


def count_replies_delivered(*, session: Session, start: datetime, end: datetime) -> int:
    """Final replies Telegram accepted in [start, end): a reply counts on the day it was sent."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Delivery)
            .join(Notice, col(Notice.id) == Delivery.notice_id)
            .join(OutboxText, col(OutboxText.id) == Notice.ref_id)
            .where(
                col(Notice.kind) == NoticeKind.CASE_NEWS.value,
                col(OutboxText.key) == REPLY_KEY,
                col(Delivery.status) == DeliveryStatus.SENT.value,
                col(Delivery.sent_at) >= start,
                col(Delivery.sent_at) < end,
            )
        ).one()
    )


def fetch_due_deliveries(
    *, session: Session, now: datetime, limit: int, after_id: int = 0
) -> list[DueDelivery]:
    """Open outbox rows whose time has come: the urgent first (case news, reminders), then
    the rest, each oldest first. Two queries in id order rather than one sorted by priority:
    a broadcast's thousands of open rows are then never sorted, and the few urgent ones are
    found through their own index."""
    urgent = _due(session=session, now=now, limit=limit, after_id=after_id, priority=URGENT)
    taken = {row.id for row in urgent}
    rest = _due(session=session, now=now, limit=limit, after_id=after_id, priority=None)
    return (urgent + [row for row in rest if row.id not in taken])[:limit]


def _due(
    *, session: Session, now: datetime, limit: int, after_id: int, priority: int | None
) -> list[DueDelivery]:
    """Due rows in id order (of `priority`, or of any: the plan of a plain id-ordered scan)."""
    if limit <= 0:
        return []
    rows = session.execute(
        sa_select(
            col(Delivery.id),
            col(Delivery.notice_id),
            col(Delivery.chat_id),
            col(Delivery.attempts),
            col(Delivery.first_error_at),
            col(Person.language),
            col(Person.blocked),
            col(Delivery.parts_sent),
            col(Delivery.priority),
        )
        .outerjoin(Person, col(Person.id) == Delivery.person_id)
        .where(
            *([] if priority is None else [col(Delivery.priority) == priority]),
            col(Delivery.status).in_(OPEN_STATUSES),
            col(Delivery.chat_id).is_not(None),
            col(Delivery.next_attempt_at) <= now,
            col(Delivery.id) > after_id,
        )
        .order_by(col(Delivery.id))
        .limit(limit)
    ).all()
    return [
        DueDelivery(
            id=r[0],
            notice_id=r[1],
            chat_id=int(r[2]),
            attempts=r[3],
            first_error_at=r[4],
            language=r[5],
            blocked=bool(r[6]),
            parts_sent=r[7],
            priority=r[8],
        )
        for r in rows
    ]


def fetch_next_due_at(*, session: Session, now: datetime) -> datetime | None:
    """When the next open row (a retry put off) or scheduled notice falls due after `now`."""
    row_due = session.exec(
        select(func.min(Delivery.next_attempt_at)).where(
            col(Delivery.status).in_(OPEN_STATUSES), col(Delivery.next_attempt_at) > now
        )
    ).one()
    notice_due = session.exec(
        select(func.min(Notice.scheduled_at)).where(
            col(Notice.state) == NoticeState.SCHEDULED.value,
            col(Notice.kind) == NoticeKind.NOTICE.value,
            col(Notice.scheduled_at) > now,
        )
    ).one()
    found = [d for d in (row_due, notice_due) if d is not None]
    return min(found) if found else None


@dataclass(frozen=True)
class UnknownDelivery:
    """A row sent with no answer from Telegram: it may have arrived, so it waits for a person."""

    id: int
    notice_id: int
    kind: str
    title: str
    chat_id: int
    attempts: int
    tried_at: datetime
    last_error: str | None


def fetch_unknown_deliveries(
    *, session: Session, notice_id: int | None = None, limit: int = 500
) -> list[UnknownDelivery]:
    """Rows left `unknown` (of one notice, or all), oldest first."""
    rows = session.execute(
        sa_select(
            col(Delivery.id),
            col(Delivery.notice_id),
            col(Notice.kind),
            col(Notice.title),
            col(Delivery.chat_id),
            col(Delivery.attempts),
            col(Delivery.next_attempt_at),
            col(Delivery.last_error),
        )
        .join(Notice, col(Notice.id) == Delivery.notice_id)
        .where(
            col(Delivery.status) == DeliveryStatus.UNKNOWN.value,
            *([] if notice_id is None else [col(Delivery.notice_id) == notice_id]),
        )
        .order_by(col(Delivery.id))
        .limit(limit)
    ).all()
    return [UnknownDelivery(*r) for r in rows]


def count_unknown_deliveries(*, session: Session) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Delivery)
            .where(col(Delivery.status) == DeliveryStatus.UNKNOWN.value)
        ).one()
    )


def requeue_unknown(
    *, session: Session, ids: Sequence[int], now: datetime, note: str
) -> list[int]:
    """Put the `unknown` rows `ids` back in the outbox (from the part they reached); returns
    the ids that were not `unknown` rows (nothing is changed then)."""
    found = set(
        session.exec(
            select(Delivery.id).where(
                col(Delivery.id).in_(list(ids)),
                col(Delivery.status) == DeliveryStatus.UNKNOWN.value,
            )
        ).all()
    )
    missing = [i for i in ids if i not in found]
    if missing:
        return missing
    session.execute(
        update(Delivery)
        .where(col(Delivery.id).in_(list(ids)))
        .values(
            status=DeliveryStatus.PENDING.value,
            next_attempt_at=now,
            first_error_at=None,
            last_error=note[:255],
        )
    )
    notify_written(session)
    return []


def fetch_delivery_ids(*, session: Session, notice_id: int) -> list[int]:
    rows = session.exec(
        select(Delivery.id).where(Delivery.notice_id == notice_id).order_by(col(Delivery.id))
    ).all()
    return [r for r in rows if r is not None]


def count_open_deliveries(*, session: Session) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Delivery)
            .where(col(Delivery.status).in_(OPEN_STATUSES))
        ).one()
    )


def count_due_deliveries(session: Session, *, now: datetime) -> int:
    """Open outbox rows whose time has come (the worker has them to send now)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(Delivery)
            .where(col(Delivery.status).in_(OPEN_STATUSES), col(Delivery.next_attempt_at) <= now)
        ).one()
    )


@dataclass(frozen=True)
class DeliveryResult:
    """What one send attempt did to its outbox row."""

    id: int
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    first_error_at: datetime | None = None
    last_error: str | None = None
    sent_at: datetime | None = None
    parts_sent: int = 0


def record_delivery_results(*, session: Session, results: Sequence[DeliveryResult]) -> None:
    """Write a batch of send outcomes in one executemany."""
    if not results:
        return
    table = DELIVERY_TABLE
    statement = (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(
            status=bindparam("new_status"),
            attempts=bindparam("new_attempts"),
            next_attempt_at=bindparam("new_next"),
            first_error_at=bindparam("new_first_error"),
            last_error=bindparam("new_error"),
            sent_at=bindparam("new_sent"),
            parts_sent=bindparam("new_parts"),
        )
    )
    session.connection().execute(
        statement,
        [
            {
                "row_id": r.id,
                "new_status": r.status.value,
                "new_attempts": r.attempts,
                "new_next": r.next_attempt_at,
                "new_first_error": r.first_error_at,
                "new_error": None if r.last_error is None else r.last_error[:255],
                "new_sent": r.sent_at,
                "new_parts": r.parts_sent,
            }
            for r in results
        ],
    )


def record_parts_sent(*, session: Session, progress: Sequence[tuple[int, int]]) -> None:
    """(row id, parts the chat has) for rows still being sent: a long notice resumes there."""
    if not progress:
        return
    table = DELIVERY_TABLE
    session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values(parts_sent=bindparam("new_parts")),
        [{"row_id": row_id, "new_parts": parts} for row_id, parts in progress],
    )


def mark_chat_blocked(*, session: Session, chat_id: int, now: datetime) -> None:
    """A 403: the person is blocked and their open rows are closed as blocked."""
    session.execute(
        update(Person)
        .where(col(Person.telegram_id) == chat_id, col(Person.blocked).is_(False))
        .values(blocked=True, blocked_at=now)
    )
    session.execute(
        update(Delivery)
        .where(col(Delivery.chat_id) == chat_id, col(Delivery.status).in_(OPEN_STATUSES))
        .values(status=DeliveryStatus.BLOCKED.value, last_error="blocked by the user")
    )


def acquire_lease(
    session: Session, *, name: str, owner: str, now: datetime, lease: timedelta
) -> bool:
    """Take or renew the lease `name` for `owner`; False while another owner's is still fresh."""
    taken = session.execute(
        update(WorkerLease)
        .where(
            col(WorkerLease.name) == name,
            or_(col(WorkerLease.owner) == owner, col(WorkerLease.heartbeat_at) < now - lease),
        )
        .values(
            acquired_at=case(
                (col(WorkerLease.owner) == owner, col(WorkerLease.acquired_at)), else_=now
            ),
            owner=owner,
            heartbeat_at=now,
        )
    )
    if getattr(taken, "rowcount", 0):
        return True
    if session.get(WorkerLease, name) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(WorkerLease(name=name, owner=owner, acquired_at=now, heartbeat_at=now))
    except IntegrityError:
        return False
    return True


def release_lease(*, session: Session, name: str, owner: str) -> None:
    session.execute(
        delete(WorkerLease).where(
            and_(col(WorkerLease.name) == name, col(WorkerLease.owner) == owner)
        )
    )


def record_pause(session: Session, *, name: str, owner: str, since: datetime, reason: str) -> None:
    """The worker `owner` holding lease `name` cannot deliver since `since`, because `reason`
    (nothing is written for a worker that does not hold the lease)."""
    lease = session.get(WorkerLease, name)
    if lease is None or lease.owner != owner:
        return
    pause = session.get(DeliveryPause, name)
    if pause is None:
        session.add(DeliveryPause(name=name, owner=owner, since=since, reason=reason[:255]))
        return
    pause.owner, pause.since, pause.reason = owner, since, reason[:255]
    session.add(pause)


def clear_pause(session: Session, *, name: str, owner: str) -> None:
    """`owner` delivers again (or stops cleanly): its pause is over."""
    session.execute(
        delete(DeliveryPause).where(
            col(DeliveryPause.name) == name, col(DeliveryPause.owner) == owner
        )
    )


def fetch_pauses(*, session: Session) -> list[DeliveryPause]:
    """Recorded pauses whose worker still holds its lease, oldest first."""
    return list(
        session.exec(
            select(DeliveryPause)
            .join(
                WorkerLease,
                and_(
                    col(WorkerLease.name) == DeliveryPause.name,
                    col(WorkerLease.owner) == DeliveryPause.owner,
                ),
            )
            .order_by(col(DeliveryPause.since))
        ).all()
    )


def fetch_silent_leases(*, session: Session, heard_before: datetime) -> list[WorkerLease]:
    """Delivery leases whose worker has not renewed them since `heard_before`, oldest first."""
    return list(
        session.exec(
            select(WorkerLease)
            .where(
                col(WorkerLease.name).startswith("delivery:"),
                col(WorkerLease.heartbeat_at) < heard_before,
            )
            .order_by(col(WorkerLease.heartbeat_at))
        ).all()
    )
