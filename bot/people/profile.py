"""What a person tells us by acting: who they are when they write, the language they chose,
whether they blocked the bot."""

from __future__ import annotations

from sqlmodel import Session

from kernel.i18n import LANGUAGES
from storage.queries import people as q
from storage.queries.people import PersonView

BLOCKING_STATUSES = ("kicked", "left")


def meet(
    session: Session,
    *,
    telegram_id: int,
    first_name: str | None,
    username: str | None,
    admin_ids: frozenset[int] = frozenset(),
) -> PersonView:
    """The person behind an update with their current roles: created on first contact, their
    names kept current, and no longer marked blocked (they are talking to us again)."""
    return q.upsert_person(
        session=session,
        telegram_id=telegram_id,
        first_name=first_name,
        username=username,
        admin_ids=admin_ids,
    )


def recognise(
    session: Session, *, telegram_id: int, admin_ids: frozenset[int] = frozenset()
) -> PersonView | None:
    """The person behind an update as stored, with their current roles; a read only."""
    return q.fetch_person_view(session=session, telegram_id=telegram_id, admin_ids=admin_ids)


def is_current(person: PersonView | None, *, first_name: str | None, username: str | None) -> bool:
    """Whether `person` as stored needs nothing from `meet`: they exist, their names are those
    Telegram sends now, and they are not marked blocked."""
    return (
        person is not None
        and not person.blocked
        and (person.first_name, person.username) == (first_name, username)
    )


def choose_language(session: Session, *, person_id: int, language: str) -> bool:
    """Remember `language` if the bot speaks it; False (and nothing written) otherwise."""
    if language not in LANGUAGES:
        return False
    q.set_language(session=session, person_id=person_id, language=language)
    return True


def note_chat_member(session: Session, *, telegram_id: int, status: str) -> str | None:
    """Mark the person blocked when the bot's status in their private chat is kicked or left,
    active again otherwise; "blocked" or "unblocked" when that changed, else None."""
    blocked = status in BLOCKING_STATUSES
    if not q.set_blocked(session=session, telegram_id=telegram_id, blocked=blocked):
        return None
    return "blocked" if blocked else "unblocked"
