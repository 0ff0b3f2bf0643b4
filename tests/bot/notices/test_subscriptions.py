"""Subscriptions on a real database: toggles and deep links keep the person's language when
none was chosen, /mysubs reads names and profile together, and forgetting a firm."""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta

from sqlalchemy import Integer, func
from sqlalchemy import select as sa_select
from sqlmodel import SQLModel, col, select

from bot.notices import subscriptions
from bot.notices.categories import retire_category
from bot.notices.publishing import publish
from bot.surveys.followups import answer_score, ask_due
from kernel.clock import utcnow
from storage.db import Database
from storage.models import (
    CaseFollowUp,
    Category,
    Delivery,
    Notice,
    Person,
    Subscription,
    SurveyInvitation,
)
from storage.models.notices import DeliveryStatus
from storage.queries import notices as q
from storage.queries.outbox.results import DeliveryResult, record_delivery_results
from tests.bot.surveys.cases import close
from tests.bot.surveys.test_survey_report import answered_survey
from tests.factories import TZ, add_firm


def category_id(db: Database, code: str) -> int:
    with db.transaction() as session:
        found = session.exec(select(Category).where(Category.code == code)).one()
        assert found.id is not None
        return found.id


def language_of(db: Database, person_id: int) -> str | None:
    with db.transaction() as session:
        person = session.get(Person, person_id)
        assert person is not None
        return person.language


def test_a_toggle_lists_the_choices_after_it_and_keeps_a_language_only_when_none_was_set(
    db: Database,
) -> None:
    with db.transaction() as session:
        person_id = add_firm(session, 1, []).id
    assert person_id is not None
    cns = category_id(db, "cns")
    toggled = db.call(
        subscriptions.press_subscription, person_id=person_id, category_id=cns, language="en"
    )
    assert toggled.changed is True
    assert [c.code for c in toggled.choices if c.subscribed] == ["cns"]
    assert language_of(db, person_id) == "en"
    again = db.call(
        subscriptions.press_subscription, person_id=person_id, category_id=cns, language="zh-TW"
    )
    assert again.changed is False and not any(c.subscribed for c in again.choices)
    assert language_of(db, person_id) == "en"  # a chosen language is never overwritten


def test_a_toggle_of_a_retired_category_changes_nothing_not_even_the_language(
    db: Database,
) -> None:
    with db.transaction() as session:
        person_id = add_firm(session, 1, []).id
    db.call(retire_category, code="origin")
    toggled = db.call(
        subscriptions.press_subscription,
        person_id=person_id,
        category_id=category_id(db, "origin"),
        language="en",
    )
    assert toggled.changed is None
    assert "origin" not in [c.code for c in toggled.choices]
    assert language_of(db, person_id) is None


def test_a_deep_link_subscribes_and_keeps_the_language(db: Database) -> None:
    with db.transaction() as session:
        person_id = add_firm(session, 1, []).id
    result = db.call(
        subscriptions.subscribe_by_link,
        person_id=person_id,
        payload="cns_RPC_nosuch",
        language="zh-TW",
    )
    assert result.added == ["正字標記", "驗證登錄"] and result.unknown == ["nosuch"]
    assert language_of(db, person_id) == "zh-TW"


def test_my_subscriptions_reads_the_names_and_the_profile_together(db: Database) -> None:
    with db.transaction() as session:
        person_id = add_firm(session, 1, ["rpc", "cns"]).id
        assert person_id is not None
        q.save_profile(session=session, person_id=person_id, company_name="Acme", tax_id=None)
    mine = db.call(subscriptions.my_subscriptions, person_id=person_id, language="en")
    assert mine.names == ["CNS Mark", "Registration of Product Certification"]
    assert (mine.company_name, mine.tax_id) == ("Acme", None)
    assert db.call(subscriptions.stop_all_subscriptions, person_id=person_id) == 2
    assert db.call(subscriptions.subscribed_names, person_id=person_id, language="en") == []


def test_forget_deletes_subscriptions_and_profile_and_stops_unsent_deliveries(
    db: Database,
) -> None:
    with db.transaction() as session:
        firm = add_firm(session, 77, ["cns"])
        assert firm.id is not None
        q.save_profile(session=session, person_id=firm.id, company_name="Acme", tax_id="04595257")
        first = publish(session=session, title="A", body="B", codes=["cns"], created_by_id=None)
        second = publish(session=session, title="C", body="D", codes=["cns"], created_by_id=None)
        [sent_row] = session.exec(select(Delivery).where(Delivery.notice_id == first.notice_id))
        assert sent_row.id is not None
        record_delivery_results(
            session=session,
            results=[
                DeliveryResult(
                    id=sent_row.id,
                    status=DeliveryStatus.SENT,
                    attempts=1,
                    next_attempt_at=utcnow(),
                    sent_at=utcnow(),
                )
            ],
        )
        person_id = firm.id
    db.call(subscriptions.forget, person_id=person_id)
    with db.transaction() as session:
        assert session.get(Person, person_id) is None
        assert session.exec(select(Subscription)).all() == []
        rows = {r.notice_id: r for r in session.exec(select(Delivery)).all()}
    # proof of delivery stays (chat id, no person); nothing more will be sent
    assert rows[first.notice_id].status == "sent" and rows[first.notice_id].chat_id == 77
    assert rows[first.notice_id].person_id is None
    assert rows[second.notice_id].status == "failed"


def _cells_holding(db: Database, value: int) -> list[str]:
    """Every (table.column, row) of an integer column of any table that holds `value`."""
    found: list[str] = []
    with db.transaction() as session:
        for table in SQLModel.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, Integer):
                    continue
                count = session.execute(
                    sa_select(func.count()).select_from(table).where(column == value)
                ).scalar_one()
                if count:
                    found.append(f"{table.name}.{column.name}")
    return found


def test_after_forget_no_join_leads_from_a_periodic_survey_answer_to_the_chat(
    db: Database,
) -> None:
    # The survey notice's delivery rows kept the chat id, and invitations were written in chat
    # order: the n-th invitation (whose person /forget cleared) was the n-th chat.
    chats = list(range(7001, 7031))
    with db.transaction() as session:
        for chat in chats:
            add_firm(session, chat, ["cns"])
    survey_id = answered_survey(db, "2026 H2", {c: [4, 3, 5, 2, 4] for c in chats})
    gone = 7015
    with db.transaction() as session:
        person = session.exec(select(Person).where(Person.telegram_id == gone)).one()
        person_id = person.id
    db.call(subscriptions.forget, person_id=person_id)
    assert _cells_holding(db, gone) == []
    with db.transaction() as session:
        notice = session.exec(
            select(Notice).where(Notice.kind == "survey", Notice.ref_id == survey_id)
        ).one()
        rows = session.exec(select(Delivery).where(Delivery.notice_id == notice.id)).all()
        hashed = [r for r in rows if r.chat_id is None]
        assert len(rows) == 30 and len(hashed) == 1
        assert hashed[0].chat_hash and hashed[0].person_id is None
        assert hashed[0].chat_hash != hashlib.sha256(str(gone).encode()).hexdigest()
        assert str(gone) not in hashed[0].chat_hash
        # The rows of the invitations carry no order of the chats either.
        invited = session.execute(
            sa_select(Person.telegram_id)
            .join(SurveyInvitation, col(SurveyInvitation.person_id) == Person.id)
            .where(SurveyInvitation.survey_id == survey_id)
            .order_by(col(SurveyInvitation.id))
        ).all()
        in_order = [int(r[0]) for r in invited]
        assert len(in_order) == 29 and in_order != sorted(in_order)
        assert (
            session.exec(
                select(SurveyInvitation).where(
                    SurveyInvitation.survey_id == survey_id,
                    col(SurveyInvitation.person_id).is_(None),
                )
            )
            .one()
            .finished_at
            is not None
        )


def test_after_forget_no_join_leads_from_a_case_follow_up_to_the_chat(db: Database) -> None:
    # delivery → notice (case_survey, ref_id) → casefollowup gave the score and the comment of
    # the person who asked to be forgotten, with their chat id.
    closed_on = date(2027, 3, 9)
    close(db, 7101, "sec1", closed_on, late=False)
    close(db, 7102, "sec1", closed_on, late=False)
    asked = datetime.combine(date(2027, 3, 10), time(10), tzinfo=TZ)
    assert db.call(ask_due, now=asked, tz=TZ) == 2
    with db.transaction() as session:
        person = session.exec(select(Person).where(Person.telegram_id == 7101)).one()
        person_id = person.id
        follow_up = session.exec(
            select(CaseFollowUp).where(CaseFollowUp.person_id == person_id)
        ).one()
        follow_up_id = follow_up.id
    assert person_id is not None and follow_up_id is not None
    db.call(
        answer_score,
        follow_up_id=follow_up_id,
        person_id=person_id,
        score=1,
        language="en",
        now=asked + timedelta(hours=1),
    )
    db.call(subscriptions.forget, person_id=person_id)
    assert _cells_holding(db, 7101) == []
    with db.transaction() as session:
        joined = session.execute(
            sa_select(Delivery.chat_id, Delivery.chat_hash, CaseFollowUp.score)
            .join(Notice, col(Notice.id) == Delivery.notice_id)
            .join(CaseFollowUp, col(CaseFollowUp.id) == Notice.ref_id)
            .where(Notice.kind == "case_survey")
            .order_by(col(CaseFollowUp.id))
        ).all()
    by_score = {r[2]: (r[0], r[1]) for r in joined}
    assert by_score[1][0] is None and by_score[1][1]
    assert by_score[None] == (7102, None)  # the other reporter, not forgotten, unchanged
