"""Categories on a real database: retiring keeps history, codes and names are checked, and the
admins' overview and retire button write the change and its audit row together."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.notices import categories
from bot.notices.publishing import publish
from kernel.errors import UserError
from storage.db import Database
from storage.models import AuditEntry, Category
from storage.queries import notices as q
from tests.factories import add_firm


def test_a_retired_category_keeps_history_but_takes_no_new_subscriptions_or_notices(
    db: Database,
) -> None:
    with db.transaction() as session:
        firm = add_firm(session, 1, ["origin"])
        published = publish(
            session=session, title="T", body="B", codes=["origin"], created_by_id=None
        )
        categories.retire_category(session=session, code="origin")
    with db.transaction() as session:
        newcomer = add_firm(session, 2, ["origin"])
        assert newcomer.id is not None and firm.id is not None
        assert q.fetch_subscribed_category_ids(session=session, person_id=newcomer.id) == set()
        assert len(q.fetch_subscribed_category_ids(session=session, person_id=firm.id)) == 1
        assert [
            c.code
            for c in q.fetch_notice_categories(session=session, notice_id=published.notice_id)
        ] == ["origin"]
    with pytest.raises(UserError) as raised:
        db.call(publish, title="T", body="B", codes=["origin"], created_by_id=None)
    assert raised.value.key == "notices.retired_category"


def test_category_codes_are_checked_when_added_and_names_when_renamed(db: Database) -> None:
    created = db.call(categories.create_category, code="Toys", name_zh="玩具", name_en="Toys")
    assert created.code == "toys"
    for code, key in [("toys", "notices.code_taken"), ("a_b", "notices.bad_code")]:
        with pytest.raises(UserError) as raised:
            db.call(categories.create_category, code=code, name_zh="x", name_en="y")
        assert raised.value.key == key
    renamed = db.call(categories.rename_category, code="toys", name_zh="兒童玩具", name_en=None)
    assert (renamed.name_zh, renamed.name_en) == ("兒童玩具", "Toys")
    with pytest.raises(UserError):
        db.call(categories.rename_category, code="toys", name_zh=" ", name_en=None)


def test_category_names_are_cleaned_of_control_and_zero_width_characters(db: Database) -> None:
    # They were stored as typed: a zero-width space or an escape sequence in the menu of
    # every subscriber, and a name of invisible characters only was taken as a name.
    created = db.call(
        categories.create_category,
        code="toys",
        name_zh="玩\u200b具\x1b[31m",
        name_en="  Toys \n and\tGames ",
    )
    assert (created.name_zh, created.name_en) == ("玩具[31m", "Toys and Games")
    renamed = db.call(
        categories.rename_category, code="toys", name_zh="兒童\u2060玩具\x00", name_en=None
    )
    assert renamed.name_zh == "兒童玩具"
    for name in ("\u200b\u200b", "\x07"):
        with pytest.raises(UserError) as raised:
            db.call(categories.rename_category, code="toys", name_zh=name, name_en=None)
        assert raised.value.key == "notices.names_needed"
        with pytest.raises(UserError) as raised:
            db.call(categories.create_category, code="games", name_zh=name, name_en="Games")
        assert raised.value.key == "notices.names_needed"
    with pytest.raises(UserError) as raised:
        db.call(categories.create_category, code="games", name_zh="遊" * 65, name_en="Games")
    assert raised.value.key == "notices.name_too_long"


def category_id(db: Database, code: str) -> int:
    with db.transaction() as session:
        found = session.exec(select(Category).where(Category.code == code)).one()
        assert found.id is not None
        return found.id


def test_the_overview_names_each_category_in_both_languages_with_its_subscribers(
    db: Database,
) -> None:
    with db.transaction() as session:
        add_firm(session, 1, ["cns"])
        add_firm(session, 2, ["cns"], blocked=True)  # blocked the bot: not counted
    overview = db.call(categories.category_overview, language="en")
    cns = next(r for r in overview.rows if r.code == "cns")
    assert (cns.name, cns.subscribers, cns.retired) == ("CNS Mark", 1, False)
    assert cns.other_name == "正字標記"
    assert overview.active(cns.id) == cns and overview.active(None) is None


def test_retiring_from_the_overview_writes_the_audit_row_in_the_same_transaction(
    db: Database,
) -> None:
    with db.transaction() as session:
        add_firm(session, 1, ["type"])
    type_id = category_id(db, "type")
    retirement = db.call(
        categories.retire_category_by_admin,
        category_id=type_id,
        actor_telegram_id=42,
        language="en",
    )
    assert retirement.retired is not None and retirement.retired.code == "type"
    row = next(r for r in retirement.overview.rows if r.id == type_id)
    assert row.retired and row.subscribers == 1  # history kept
    with db.transaction() as session:
        [audit] = session.exec(select(AuditEntry)).all()
    assert (audit.action, audit.target, audit.actor_telegram_id) == ("category.retire", "type", 42)


def test_retiring_a_category_no_longer_active_changes_nothing_and_audits_nothing(
    db: Database,
) -> None:
    origin = category_id(db, "origin")
    db.call(categories.retire_category, code="origin")
    for stale in (origin, 99999, None):
        retirement = db.call(
            categories.retire_category_by_admin,
            category_id=stale,
            actor_telegram_id=42,
            language="en",
        )
        assert retirement.retired is None
    with db.transaction() as session:
        assert session.exec(select(AuditEntry)).all() == []
