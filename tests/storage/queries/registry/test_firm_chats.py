"""storage/queries/registry/firm_chats.py on a real database."""

from __future__ import annotations

from sqlmodel import Session

from storage.db import Database
from storage.queries.registry.firm_chats import (
    chat_reminders_off,
    count_tax_id_chats,
    fetch_firm_chats,
    fetch_linked_tax_ids,
    fetch_person_tax_id,
    reminders_off,
    set_reminders_off,
)
from tests.storage.queries.registry.rows import FIRM, NOW, OTHER, chat


def test_a_firms_chats_leave_out_blocked_ones_and_those_that_turned_reminders_off(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        first = chat(session, 601, FIRM)
        quiet = chat(session, 602, FIRM)
        chat(session, 603, FIRM, blocked=True)
        chat(session, 604, OTHER)
        set_reminders_off(session=session, person_id=quiet, off=True, now=NOW)
        assert fetch_firm_chats(session=session, tax_id=FIRM) == ([(first, 601)], 2)
        assert reminders_off(session=session, person_id=quiet) is True
        assert chat_reminders_off(session=session, chat_id=602) is True
        assert chat_reminders_off(session=session, chat_id=601) is False
        set_reminders_off(session=session, person_id=quiet, off=False, now=NOW)
        set_reminders_off(session=session, person_id=quiet, off=False, now=NOW)
        assert reminders_off(session=session, person_id=quiet) is False
        assert fetch_firm_chats(session=session, tax_id=FIRM) == ([(first, 601), (quiet, 602)], 2)

    db.call(run)


def test_linked_numbers_and_their_chats_are_counted_without_blocked_chats(db: Database) -> None:
    def run(session: Session) -> None:
        holder = chat(session, 611, FIRM)
        chat(session, 612, FIRM)
        chat(session, 613, OTHER, blocked=True)
        chat(session, 614, None)
        numbers = [FIRM, OTHER, "04595257"]
        assert fetch_linked_tax_ids(session=session, tax_ids=numbers) == {FIRM}
        assert count_tax_id_chats(session=session, tax_ids=numbers) == 2
        assert fetch_person_tax_id(session=session, person_id=holder) == FIRM
        assert fetch_person_tax_id(session=session, person_id=holder + 1000) is None

    db.call(run)
