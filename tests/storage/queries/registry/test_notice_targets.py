"""storage/queries/registry/notice_targets.py on a real database."""

from __future__ import annotations

from sqlmodel import Session, col, select

from storage.db import Database
from storage.models import Delivery, Notice, Subscription
from storage.queries.registry.notice_targets import (
    add_notice_tax_ids,
    add_targeted_deliveries,
    count_union_by_language,
    count_union_recipients,
    fetch_notice_tax_ids,
    fetch_reached_tax_ids,
)
from tests.storage.queries.registry.rows import FIRM, NOW, OTHER, category_id, chat


def notice(session: Session) -> int:
    row = Notice(title="公告", body="內容", scheduled_at=NOW, created_at=NOW)
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def test_a_notices_numbers_are_kept_once_each_in_order(db: Database) -> None:
    def run(session: Session) -> None:
        notice_id = notice(session)
        add_notice_tax_ids(session=session, notice_id=notice_id, tax_ids=[OTHER, FIRM, OTHER])
        assert fetch_notice_tax_ids(session=session, notice_id=notice_id) == sorted([FIRM, OTHER])

    db.call(run)


def test_subscribers_and_holders_of_the_numbers_are_counted_and_written_once(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        rpc = category_id(session, "rpc")
        both = chat(session, 701, FIRM)
        session.add(Subscription(person_id=both, category_id=rpc))
        subscriber = chat(session, 702, None)
        session.add(Subscription(person_id=subscriber, category_id=rpc))
        holder = chat(session, 703, FIRM)
        chat(session, 704, FIRM, blocked=True)
        chat(session, 705, "04595257")
        session.flush()
        assert count_union_recipients(session=session, category_ids=[rpc], tax_ids=[FIRM]) == 3
        assert count_union_by_language(
            session=session, category_ids=[rpc], tax_ids=[FIRM], default_language="zh-TW"
        ) == {"zh-TW": 3}

        notice_id = notice(session)
        add_notice_tax_ids(session=session, notice_id=notice_id, tax_ids=[FIRM, OTHER])
        session.add(
            Delivery(notice_id=notice_id, person_id=both, chat_id=701, next_attempt_at=NOW)
        )
        session.flush()
        add_targeted_deliveries(session=session, notice_id=notice_id, now=NOW)
        written = session.exec(
            select(Delivery.person_id, Delivery.chat_id, Delivery.status)
            .where(Delivery.notice_id == notice_id)
            .order_by(col(Delivery.person_id))
        ).all()
        assert written == [(both, 701, "pending"), (holder, 703, "pending")]
        assert fetch_reached_tax_ids(session=session, notice_id=notice_id) == {FIRM}

    db.call(run)
