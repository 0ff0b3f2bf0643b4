"""bot/notices/unknown.py: the deliveries left unknown, listed for a person to check, and
resent after the check in one audited transaction (a bad id: nothing resent, nothing audited)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from bot.notices.unknown import resend, unknown_deliveries
from kernel.errors import UserError
from storage.db import Database
from storage.models import AuditEntry, Delivery
from storage.models.notices import DeliveryStatus
from tests.storage.queries.outbox.rows import LATER, delivery, released


def left_unknown(db: Database, chats: list[int], *, title: str = "Recall") -> list[int]:
    """A notice released to `chats`, every row left unknown; the rows' ids."""

    def write(session: Session) -> list[int]:
        notice_id = released(session, chats, title=title)
        ids = []
        for chat_id in chats:
            row = delivery(session, notice_id, chat_id)
            row.status, row.attempts, row.last_error = DeliveryStatus.UNKNOWN.value, 1, "lost"
            session.add(row)
            assert row.id is not None
            ids.append(row.id)
        return ids

    return db.call(write)


def statuses(db: Database) -> dict[int, str]:
    return db.call(
        lambda session: {
            d.id: d.status for d in session.exec(select(Delivery).order_by(col(Delivery.id)))
        }
    )


def audit(db: Database) -> list[tuple[int | None, str, str | None, bool, str | None]]:
    return db.call(
        lambda session: [
            (a.actor_telegram_id, a.action, a.target, a.allowed, a.detail)
            for a in session.exec(select(AuditEntry).order_by(col(AuditEntry.id)))
        ]
    )


def test_the_unknown_rows_are_listed_oldest_first_of_all_or_of_one_notice(db: Database) -> None:
    first = left_unknown(db, [9001, 9002], title="First")
    second = left_unknown(db, [9003], title="Second")
    listed = db.call(unknown_deliveries)
    assert [(u.id, u.title, u.chat_id) for u in listed] == [
        (first[0], "First", 9001),
        (first[1], "First", 9002),
        (second[0], "Second", 9003),
    ]
    one = db.call(unknown_deliveries, notice_id=listed[-1].notice_id)
    assert [u.id for u in one] == second
    assert db.call(unknown_deliveries, notice_id=listed[-1].notice_id + 1) == []


def test_checked_rows_are_resent_once_each_and_the_check_is_audited(db: Database) -> None:
    ids = left_unknown(db, [9001, 9002, 9003])
    count = db.call(resend, ids=[ids[2], ids[0], ids[2]], now=LATER, checked_by="ann")
    assert count == 2  # an id given twice is resent once
    assert statuses(db) == {ids[0]: "pending", ids[1]: "unknown", ids[2]: "pending"}
    assert audit(db) == [(None, "outbox.resend", f"{ids[2]},{ids[0]}", True, "ann")]
    assert [u.id for u in db.call(unknown_deliveries)] == [ids[1]]


def test_an_id_that_is_not_unknown_resends_nothing_and_audits_nothing(db: Database) -> None:
    ids = left_unknown(db, [9001, 9002])
    db.call(resend, ids=[ids[0]], now=LATER, checked_by="ann")
    with pytest.raises(UserError) as refused:
        db.call(resend, ids=[ids[1], ids[0], 99999], now=LATER, checked_by="bob")
    assert refused.value.key == "outbox.not_unknown"
    assert refused.value.values == {"delivery_id": ids[0]}  # the first id that is not unknown
    assert statuses(db) == {ids[0]: "pending", ids[1]: "unknown"}
    assert [a[4] for a in audit(db)] == ["ann"]


def test_a_long_resend_is_audited_within_the_columns_sizes(db: Database) -> None:
    ids = left_unknown(db, list(range(9001, 9071)))
    assert db.call(resend, ids=ids, now=LATER, checked_by="x" * 3000) == 70
    [(_, _, target, _, detail)] = audit(db)
    assert target == ",".join(str(i) for i in ids)[:128] and len(target) == 128
    assert detail == "x" * 2000
    assert set(statuses(db).values()) == {"pending"}
