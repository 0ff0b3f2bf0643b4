"""The staff /notice draft: its state read back from what older versions stored, the pick, the
preview per language, and publishing with its audit row in one transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from bot.notices.categories import retire_category
from bot.notices.drafts import NoticeDraft, pick_categories, preview_draft, publish_draft
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.db import Database
from storage.models import AuditEntry, Category, Notice, Person
from tests.factories import add_firm


def category_id(db: Database, code: str) -> int:
    with db.transaction() as session:
        found = session.exec(select(Category).where(Category.code == code)).one()
        assert found.id is not None
        return found.id


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ({"category_ids": []}, NoticeDraft()),  # what /notice used to start with
        (
            {
                "category_ids": [3, 1],
                "title": "T",
                "body": "B",
                "attachment_file_id": "file-1",
                "attachment_name": "a.pdf",
                "last_error": "notices.at_past",  # an older version kept this; ignored now
            },
            NoticeDraft([3, 1], "T", "B", "file-1", "a.pdf"),
        ),
        ({"category_ids": [2], "title": "T"}, NoticeDraft([2], "T")),  # mid-conversation
        (None, NoticeDraft()),
        ({"category_ids": "3", "title": None}, NoticeDraft()),
        ({"category_ids": [1, "2", True, None]}, NoticeDraft([1])),
        ({"category_ids": [1], "archive": False}, NoticeDraft([1], archive=False)),
        ({"category_ids": [1], "archive": "no"}, NoticeDraft([1])),  # only False keeps it off
    ],
)
def test_the_notice_draft_reads_the_shapes_older_versions_stored(
    stored: object, expected: NoticeDraft
) -> None:
    assert NoticeDraft.from_dict(stored) == expected
    assert NoticeDraft.from_dict(expected.to_dict()) == expected


def test_toggling_chooses_and_unchooses_a_category_and_detach_drops_the_file() -> None:
    draft = NoticeDraft()
    draft.toggle(3)
    draft.toggle(1)
    draft.toggle(3)
    assert draft.category_ids == [1]
    draft.attach("file-1", None)
    assert (draft.attachment_file_id, draft.attachment_name) == ("file-1", "attachment")
    draft.detach()
    assert draft == NoticeDraft([1])


def test_only_a_notice_to_categories_alone_offers_the_archive_choice() -> None:
    assert NoticeDraft([1]).archivable
    assert not NoticeDraft().archivable
    assert not NoticeDraft([1], tax_ids=["04595257"]).archivable


def test_the_pick_drops_a_category_retired_meanwhile_and_counts_recipients(
    db: Database,
) -> None:
    with db.transaction() as session:
        add_firm(session, 1, ["cns", "origin"])
        add_firm(session, 2, ["origin"])
    cns, origin = category_id(db, "cns"), category_id(db, "origin")
    assert db.call(pick_categories, chosen=[origin, cns], language="en").recipients == 2
    db.call(retire_category, code="origin")
    pick = db.call(pick_categories, chosen=[origin, cns], language="en")
    assert pick.chosen == [cns] and pick.recipients == 1
    assert origin not in [c.id for c in pick.categories]


def test_the_preview_is_in_the_staff_language_first_then_each_recipients_language(
    db: Database,
) -> None:
    with db.transaction() as session:
        add_firm(session, 1, ["cns"])
        chinese = add_firm(session, 2, ["cns"])
        chinese.language = "zh-TW"
        session.add(chinese)
    draft = NoticeDraft([category_id(db, "cns")], "Title", "Body")
    preview = db.call(preview_draft, draft=draft, language="en", default_language="en")
    assert [(c.language, c.recipients) for c in preview.copies] == [("en", 1), ("zh-TW", 1)]
    assert preview.recipients == 2
    assert "Categories: CNS Mark" in preview.copies[0].messages[0]
    assert "類別：正字標記" in preview.copies[1].messages[0]
    alone = db.call(preview_draft, draft=draft, language="zh-TW", default_language="zh-TW")
    assert [(c.language, c.recipients) for c in alone.copies] == [("zh-TW", 2)]


def test_publishing_the_draft_writes_the_notice_and_its_audit_row_together(
    db: Database,
) -> None:
    with db.transaction() as session:
        staff = Person(telegram_id=500, first_name="staff")
        session.add(staff)
        session.flush()
        add_firm(session, 1, ["cns", "rpc"])
        staff_id = staff.id
    draft = NoticeDraft([category_id(db, "rpc"), category_id(db, "cns")], "T", "B")
    published = db.call(
        publish_draft, draft=draft, created_by_id=staff_id, actor_telegram_id=500, at=None
    )
    assert published.released and published.recipients == 1
    with db.transaction() as session:
        [audit] = session.exec(select(AuditEntry)).all()
        notice = session.get(Notice, published.notice_id)
    assert (audit.action, audit.target) == ("notice.publish", str(published.notice_id))
    assert audit.detail == "cns,rpc recipients=1" and audit.actor_telegram_id == 500
    assert notice is not None and notice.created_by_id == staff_id


def test_a_refused_draft_leaves_neither_a_notice_nor_an_audit_row(db: Database) -> None:
    origin = category_id(db, "origin")
    db.call(retire_category, code="origin")
    draft = NoticeDraft([origin], "T", "B")
    with pytest.raises(UserError) as retired:
        db.call(publish_draft, draft=draft, created_by_id=None, actor_telegram_id=500)
    assert retired.value.key == "notices.retired_category"
    assert retired.value.values["code"] == "origin"  # named, though retired since it was picked
    draft = NoticeDraft([category_id(db, "cns")], "T", "B")
    with pytest.raises(UserError) as past:
        db.call(
            publish_draft,
            draft=draft,
            created_by_id=None,
            actor_telegram_id=500,
            at=utcnow() - timedelta(hours=1),
        )
    assert past.value.key == "notices.at_past"
    with db.transaction() as session:
        assert session.exec(select(Notice)).all() == []
        assert session.exec(select(AuditEntry)).all() == []
