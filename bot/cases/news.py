"""Who is told what about a case: `Notice`s to send after the transaction commits.

The domain only says who (chat, language), which catalogue key and which values; the chat edge
(`bot/handlers/case_news.py`) turns each into text and sends it. The unit and the secretariat
are never told who reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from storage.models import Case, Role
from storage.queries.cases import (
    fetch_case_by_number,
    fetch_case_reporter,
    fetch_role_people,
    fetch_unit_inspectors,
)


@dataclass(frozen=True)
class Notice:
    """A message to send after the transaction: chat, language, catalogue key and values."""

    chat_id: int
    language: str | None
    key: str
    values: dict[str, object]
    to_reporter: bool = False
    """News to the person who filed the case: signed by the branch with its contact line."""


def reporter_notice(session: Session, case_row: Case, key: str, **values: object) -> list[Notice]:
    """The reporter's news about their case, unless they are gone or blocked the bot."""
    assert case_row.id is not None
    reporter, person = fetch_case_reporter(session=session, case_id=case_row.id)
    if person is None or person.blocked:
        return []
    return [
        Notice(
            chat_id=person.telegram_id,
            language=person.language or reporter.language,
            key=key,
            values={"number": case_row.number, **values},
            to_reporter=True,
        )
    ]


def unit_notices(session: Session, case_row: Case, unit_id: int) -> list[Notice]:
    """Tell the unit's inspectors a case is theirs: number, kind, subject and deadline only,
    never who reported it."""
    return [
        Notice(
            chat_id=p.telegram_id,
            language=p.language,
            key="cases.notify.assigned_unit",
            values={
                "number": case_row.number,
                "kind": case_row.kind,
                "subject": case_row.subject[:300],
                "due": case_row.due_on,
            },
        )
        for p in fetch_unit_inspectors(session=session, unit_id=unit_id)
    ]


def info_received_notices(session: Session, case_row: Case, info: str | None) -> list[Notice]:
    """Tell the unit's inspectors what the reporter added (a case without a unit: nobody)."""
    if case_row.unit_id is None:
        return []
    return [
        Notice(
            chat_id=p.telegram_id,
            language=p.language,
            key="cases.notify.info_received",
            values={"number": case_row.number, "info": info},
        )
        for p in fetch_unit_inspectors(session=session, unit_id=case_row.unit_id)
    ]


def new_case_notices(*, session: Session, number: str) -> list[Notice]:
    """Tell the secretariat a case arrived, so it can be assigned (no reporter identity)."""
    case_row = fetch_case_by_number(session=session, number=number)
    if case_row is None:
        return []
    return [
        Notice(
            chat_id=p.telegram_id,
            language=p.language,
            key="cases.notify.new_case",
            values={"number": case_row.number, "kind": case_row.kind, "subject": case_row.subject},
        )
        for p in fetch_role_people(session=session, role=Role.SECRETARIAT)
    ]
