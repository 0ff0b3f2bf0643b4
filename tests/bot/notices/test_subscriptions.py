"""Subscriptions on a real database: toggles and deep links keep the person's language when
none was chosen, /mysubs reads names and profile together, and forgetting a firm."""

from __future__ import annotations

from sqlmodel import select

from bot.notices import subscriptions
from bot.notices.categories import retire_category
from bot.notices.publishing import publish
from kernel.clock import utcnow
from storage.db import Database
from storage.models import Category, Delivery, Person, Subscription
from storage.models.notices import DeliveryStatus
from storage.queries import notices as q
from storage.queries import outbox
from tests.factories import add_firm


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
        outbox.record_delivery_results(
            session=session,
            results=[
                outbox.DeliveryResult(
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
