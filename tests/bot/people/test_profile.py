"""A person's language and whether they blocked the bot, on a real database."""

from __future__ import annotations

from bot.people import profile
from storage.db import Database
from storage.models import Role
from storage.queries.people import fetch_person_view
from tests.factories import person

FIRM = 7201


def test_a_language_the_bot_speaks_is_remembered(db: Database) -> None:
    firm = person(db, FIRM)
    assert db.call(profile.choose_language, person_id=firm.id, language="en")
    view = db.call(fetch_person_view, telegram_id=FIRM)
    assert view is not None and view.language == "en"


def test_any_other_language_is_refused_and_nothing_changes(db: Database) -> None:
    firm = person(db, FIRM)
    db.call(profile.choose_language, person_id=firm.id, language="zh-TW")
    assert not db.call(profile.choose_language, person_id=firm.id, language="fr")
    view = db.call(fetch_person_view, telegram_id=FIRM)
    assert view is not None and view.language == "zh-TW"


def test_blocking_and_unblocking_are_noted_once_each(db: Database) -> None:
    person(db, FIRM)
    note = profile.note_chat_member
    assert db.call(note, telegram_id=FIRM, status="kicked") == "blocked"
    assert db.call(note, telegram_id=FIRM, status="left") is None  # still blocked
    view = db.call(fetch_person_view, telegram_id=FIRM)
    assert view is not None and view.blocked
    assert db.call(note, telegram_id=FIRM, status="member") == "unblocked"
    assert db.call(note, telegram_id=FIRM, status="member") is None


def test_a_chat_the_bot_has_never_seen_changes_nothing(db: Database) -> None:
    assert db.call(profile.note_chat_member, telegram_id=FIRM + 1, status="kicked") is None


def test_a_person_is_met_once_kept_current_and_no_longer_blocked_when_they_write(
    db: Database,
) -> None:
    first = db.call(profile.meet, telegram_id=FIRM, first_name="甲", username=None)
    assert (first.telegram_id, first.first_name, first.blocked) == (FIRM, "甲", False)
    db.call(profile.note_chat_member, telegram_id=FIRM, status="kicked")
    again = db.call(
        profile.meet, telegram_id=FIRM, first_name="乙", username="b", admin_ids=frozenset({FIRM})
    )
    assert again.id == first.id
    assert (again.first_name, again.blocked) == ("乙", False)
    assert again.has_any({Role.ADMIN})


def test_a_person_as_stored_is_current_until_a_name_changes_or_they_were_blocked(
    db: Database,
) -> None:
    db.call(profile.meet, telegram_id=FIRM, first_name="甲", username="a")
    stored = db.read(profile.recognise, telegram_id=FIRM)
    assert profile.is_current(stored, first_name="甲", username="a")
    assert not profile.is_current(stored, first_name="乙", username="a")
    assert not profile.is_current(stored, first_name="甲", username=None)
    assert not profile.is_current(None, first_name="甲", username="a")
    db.call(profile.note_chat_member, telegram_id=FIRM, status="kicked")
    blocked = db.read(profile.recognise, telegram_id=FIRM)
    assert not profile.is_current(blocked, first_name="甲", username="a")
