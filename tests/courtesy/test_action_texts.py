"""What a person reads about corrective actions: one line per action in their language, the
open ones as whole-entry pages within a message's limit (names only for the secretariat), and
a card that cuts its long fields, names them, and gives each whole on request."""

from __future__ import annotations

import dataclasses

import pytest

from courtesy import action_texts, actions
from courtesy.rubric import BUSINESS
from storage.db import Database
from storage.queries.courtesy import fetch_test_views
from tests.courtesy.plans import failed_action, plan_2026


def failed_actions(db: Database, count: int) -> list[tuple[str, int]]:
    """A 2026 plan and `count` of its business calls failed: their codes and actions."""
    plan_2026(db, seed=11)
    with db.transaction() as session:
        views = fetch_test_views(session=session, year=2026)
    codes = [v.code for v in views if v.template == BUSINESS][:count]
    return [(code, failed_action(db, code)) for code in codes]


def test_with_no_actions_there_is_one_line_and_one_page_saying_so(db: Database) -> None:
    assert db.call(action_texts.action_list, lang="en", open_only=False) == [
        "There are no corrective and preventive actions."
    ]
    first = db.call(action_texts.open_actions_page, lang="en", named=True, page=0, limit=4000)
    assert first == action_texts.ActionsPage(
        "There are no corrective and preventive actions.", 0, 1
    )
    assert (
        db.call(action_texts.open_actions_page, lang="en", named=True, page=1, limit=4000) is None
    )


def test_an_action_line_says_what_went_wrong_in_the_readers_language(db: Database) -> None:
    ((code, action),) = failed_actions(db, 1)
    (chinese,) = db.call(action_texts.action_list, lang="zh-TW", open_only=True)
    (english,) = db.call(action_texts.action_list, lang="en", open_only=True)
    assert f"#{action}" in chinese and code in chinese
    assert "總分 60（丙）" in chinese
    assert english.startswith(f"#{action} open | ")
    assert f"test {code} | failures so far: 1" in english
    assert "Total 60" in english and "lost: " in english and "總分" not in english


def test_staff_who_may_not_read_names_see_only_the_counts(db: Database) -> None:
    failed_actions(db, 2)
    counts = db.call(action_texts.open_actions_page, lang="en", named=False, page=0, limit=4000)
    assert counts is not None
    assert counts.text.startswith("2 open corrective and preventive action(s): open 2.")
    assert (counts.page, counts.pages) == (0, 1)
    assert (
        db.call(action_texts.open_actions_page, lang="en", named=False, page=1, limit=4000) is None
    )
    named = db.call(action_texts.open_actions_page, lang="en", named=True, page=0, limit=4000)
    assert named is not None and named.text.count("| test ") == 2


def test_many_open_actions_come_in_pages_within_the_limit_never_splitting_one(
    db: Database,
) -> None:
    found = failed_actions(db, 6)
    lines = db.call(action_texts.action_list, lang="en", open_only=True)
    limit = 3 * max(action_texts.message_length(line) for line in lines)
    pages = []
    for number in range(10):
        page = db.call(
            action_texts.open_actions_page, lang="en", named=True, page=number, limit=limit
        )
        if page is None:
            break
        pages.append(page)
    assert 1 < len(pages) < len(found)
    assert all(action_texts.message_length(p.text) <= limit for p in pages)
    assert [p.page for p in pages] == list(range(len(pages)))
    assert pages[0].text.endswith(f"Page 1 of {len(pages)}")
    for line in lines:
        assert sum(line in p.text for p in pages) == 1


def test_message_length_counts_what_telegram_counts() -> None:
    assert action_texts.message_length("abc") == 3
    assert action_texts.message_length("禮貌") == 2
    assert action_texts.message_length("😀") == 2  # two UTF-16 code units


def test_a_card_cuts_long_fields_names_them_and_gives_each_whole(db: Database) -> None:
    ((_, action),) = failed_actions(db, 1)
    details = db.call(actions.fetch_action_details, action_id=action)
    long = "改善" * 1000 + " & <end>"
    full = dataclasses.replace(
        details,
        action=details.action.model_copy(update={"correction": long, "cause": "short cause"}),
    )
    card = action_texts.card_text("en", full, limit=4000)
    assert card.cut == ("correction",)
    assert action_texts.message_length(card.text) <= 4000
    assert "short cause" in card.text and long not in card.text
    assert "…" in card.text
    whole = action_texts.field_text("en", full, "correction")
    assert "改善" * 1000 + " &amp; &lt;end&gt;" in whole
    every = dataclasses.replace(
        details,
        action=details.action.model_copy(
            update={field: long for field in action_texts.CARD_FIELDS}
        ),
    )
    tight = action_texts.card_text("en", every, limit=2000)
    assert tight.cut == action_texts.CARD_FIELDS
    assert action_texts.message_length(tight.text) <= 2000
    with pytest.raises(ValueError, match="not a long field"):
        action_texts.field_text("en", full, "owner")


def test_a_card_with_short_fields_cuts_nothing(db: Database) -> None:
    ((_, action),) = failed_actions(db, 1)
    details = db.call(actions.fetch_action_details, action_id=action)
    card = action_texts.card_text("zh-TW", details)
    assert card.cut == ()
    assert f"#{action}" in card.text and "總分 60（丙）" in card.text
    kept = dataclasses.replace(
        details, action=details.action.model_copy(update={"nonconformity": "主管補充說明"})
    )
    assert "主管補充說明" in action_texts.card_text("zh-TW", kept).text
    assert "主管補充說明" not in action_texts.card_text("en", kept).text
