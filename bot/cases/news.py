"""Who is told what about a case: `CaseNews` (one piece per recipient), written to the outbox in
the change's transaction.

The domain only says who (chat, language), which catalogue key and which values; `tell` writes
them as outbox rows (`case_news`, one per recipient, urgent) in the transaction of the change,
and the delivery worker renders each in its recipient's language when it sends it
(`bot/edge/case_news.py`), paced, retried and recorded. The unit and the secretariat are never
told who reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from storage.models import Case, Role
from storage.models.notices import NoticeKind
from storage.queries.cases import (
    fetch_case_by_number,
    fetch_case_reporter,
    fetch_role_people,
    fetch_unit_inspectors,
)
from storage.queries.outbox.texts import dump_values, enqueue_text


@dataclass(frozen=True)
class CaseNews:
    """A piece of case news for one recipient (not a 公告, a broadcast): chat, language,
    catalogue key and values, written to the outbox by `tell`."""

    chat_id: int
    language: str | None
    key: str
    values: dict[str, object]
    to_reporter: bool = False
    """News to the person who filed the case: signed by the branch with its contact line."""
    person_id: int | None = None


def tell(
    session: Session,
    *,
    case_id: int | None,
    notices: list[CaseNews],
    now: datetime,
    kind: str = NoticeKind.CASE_NEWS.value,
    once_keys: dict[int, str] | None = None,
) -> int:
    """Write `notices` to the outbox in this transaction: one message per text, one row per
    recipient; returns the rows written (a reminder's row whose `once_keys` key is already there
    is not written again)."""
    groups: dict[tuple[str, str, bool], list[CaseNews]] = {}
    for notice in notices:
        group = (notice.key, dump_values(notice.values), notice.to_reporter)
        groups.setdefault(group, []).append(notice)
    written = 0
    for (key, values, public), members in groups.items():
        number = members[0].values.get("number")
        written += enqueue_text(
            session=session,
            kind=kind,
            key=key,
            values=values,
            public=public,
            case_id=case_id,
            title=f"{number} {key}" if number else key,
            recipients=[(n.person_id, n.chat_id) for n in members],
            now=now,
            once_keys=once_keys,
        )
    return written


def reporter_notice(
    session: Session, case_row: Case, key: str, **values: object
) -> list[CaseNews]:
    """The reporter's news about their case, unless they are gone (or have no chat). A reporter
    who blocked the bot gets a row too: the worker closes it as blocked, so the case card can
    say the news did not arrive."""
    assert case_row.id is not None
    reporter, person = fetch_case_reporter(session=session, case_id=case_row.id)
    if person is None:
        return []
    return [
        CaseNews(
            chat_id=person.telegram_id,
            language=person.language or reporter.language,
            key=key,
            values={"number": case_row.number, **values},
            to_reporter=True,
            person_id=person.id,
        )
    ]


def unit_notices(session: Session, case_row: Case, unit_id: int) -> list[CaseNews]:
    """Tell the unit's inspectors a case is theirs: number, kind, subject and deadline only,
    never who reported it."""
    return [
        CaseNews(
            chat_id=p.telegram_id,
            language=p.language,
            key="cases.notify.assigned_unit",
            values={
                "number": case_row.number,
                "kind": case_row.kind,
                "subject": case_row.subject[:300],
                "due": case_row.due_on,
            },
            person_id=p.id,
        )
        for p in fetch_unit_inspectors(session=session, unit_id=unit_id)
    ]


def info_received_notices(session: Session, case_row: Case, info: str | None) -> list[CaseNews]:
    """Tell the unit's inspectors what the reporter added (a case without a unit: nobody)."""
    if case_row.unit_id is None:
        return []
    return [
        CaseNews(
            chat_id=p.telegram_id,
            language=p.language,
            key="cases.notify.info_received",
            values={"number": case_row.number, "info": info},
            person_id=p.id,
        )
        for p in fetch_unit_inspectors(session=session, unit_id=case_row.unit_id)
    ]


def new_case_notices(session: Session, *, number: str) -> list[CaseNews]:
    """Tell the secretariat a case arrived, so it can be assigned (no reporter identity)."""
    case_row = fetch_case_by_number(session=session, number=number)
    if case_row is None:
        return []
    return [
        CaseNews(
            chat_id=p.telegram_id,
            language=p.language,
            key="cases.notify.new_case",
            values={"number": case_row.number, "kind": case_row.kind, "subject": case_row.subject},
            person_id=p.id,
        )
        for p in fetch_role_people(session=session, role=Role.SECRETARIAT)
    ]
