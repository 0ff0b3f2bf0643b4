"""Lists of cases: the staff's open, overdue and own-unit pages, and a reporter's own cases.

Inspectors list their units' cases only; the secretariat and admins list every unit's, except
under "mine". Only a running clock can be late: a paused (needs_info) or replied case is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from bot.cases.actions import sees_every_unit
from storage.models import Case
from storage.queries.cases import RUNNING_STATES, fetch_case_list, fetch_cases_of_reporter
from storage.queries.outbox.case_messages import fetch_undelivered_replies
from storage.queries.people import PersonView

LISTS = ("open", "overdue", "mine")


@dataclass(frozen=True)
class Listed:
    case: Case
    days_late: int
    """Calendar days past the deadline while the clock runs; 0 when not late."""
    reply_undelivered: bool = False
    """The final reply could not be delivered in chat: answer by phone or letter."""


@dataclass(frozen=True)
class CasePage:
    which: str
    offset: int
    total: int
    cases: list[Listed]


def list_cases(
    session: Session, *, viewer: PersonView, which: str, today: date, offset: int, limit: int
) -> CasePage:
    """One page of the list `which` ("open", "overdue" or "mine") as `viewer` may see it."""
    unit_ids = None
    if which == "mine" or not sees_every_unit(viewer):
        unit_ids = viewer.unit_ids
    rows, total = fetch_case_list(
        session=session, which=which, today=today, unit_ids=unit_ids, offset=offset, limit=limit
    )
    undelivered = fetch_undelivered_replies(
        session=session, case_ids=[c.id for c in rows if c.id is not None]
    )
    return CasePage(
        which=which,
        offset=offset,
        total=total,
        cases=[
            Listed(
                c,
                max(0, (today - c.due_on).days) if c.state in RUNNING_STATES else 0,
                reply_undelivered=c.id in undelivered,
            )
            for c in rows
        ],
    )


def reporter_cases(session: Session, *, reporter: PersonView) -> list[Case]:
    """The reporter's own cases, newest first (the latest twenty)."""
    return fetch_cases_of_reporter(session=session, person_id=reporter.id)[0]


@dataclass(frozen=True)
class ReporterPage:
    offset: int
    total: int
    cases: list[Case]


def reporter_page(
    session: Session, *, reporter: PersonView, offset: int, limit: int
) -> ReporterPage:
    """/status: one page of the reporter's own cases, newest first."""
    rows, total = fetch_cases_of_reporter(
        session=session, person_id=reporter.id, offset=offset, limit=limit
    )
    return ReporterPage(offset=offset, total=total, cases=rows)
