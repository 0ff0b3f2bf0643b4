"""A person's language and whether they blocked the bot, on a real database."""

from __future__ import annotations

from bot.people import profile
from storage.db import Database
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
