"""One case as a viewer may see it: the reporter only for the secretariat and admins, and the
actions the viewer may take now. Viewing a reporter's identity is written to the audit log."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from bot.cases.actions import actions_for, may_view, sees_identity
from kernel.errors import UserError
from storage.models import Case, CaseAttachment, CaseEvent, Category, Unit
from storage.models.cases import Channel
from storage.queries.cases import (
    fetch_case_attachments,
    fetch_case_by_number,
    fetch_case_events,
    fetch_case_reporter,
)
from storage.queries.people import PersonView, record_audit


@dataclass(frozen=True)
class Reporter:
    """The reporter as the secretariat sees it."""

    telegram_id: int | None
    name: str | None
    phone: str | None
    anonymous: bool
    forgotten: bool


@dataclass(frozen=True)
class CaseDetails:
    case: Case
    unit_code: str | None
    unit_name_zh: str | None
    unit_name_en: str | None
    category_code: str | None
    category_name_zh: str | None
    category_name_en: str | None
    events: list[CaseEvent]
    attachments: list[CaseAttachment]
    reporter: Reporter | None
    actions: list[str]


def fetch_case_details(*, session: Session, number: str, viewer: PersonView) -> CaseDetails:
    """A case as `viewer` may see it: the reporter only for the secretariat and admins."""
    case_row = fetch_case_by_number(session=session, number=number)
    if case_row is None or not may_view(case_row, viewer):
        raise UserError("cases.not_found", number=number)
    return _details(session, case_row, viewer)


def _details(session: Session, case_row: Case, viewer: PersonView) -> CaseDetails:
    assert case_row.id is not None
    unit = session.get(Unit, case_row.unit_id) if case_row.unit_id else None
    category = session.get(Category, case_row.category_id) if case_row.category_id else None
    reporter = None
    if sees_identity(viewer):
        row, person = fetch_case_reporter(session=session, case_id=case_row.id)
        reporter = Reporter(
            telegram_id=person.telegram_id if person else None,
            name=row.contact_name or (person.first_name if person else None),
            phone=row.contact_phone,
            anonymous=row.anonymous,
            forgotten=row.id is None and case_row.channel == Channel.TELEGRAM.value,
        )
    return CaseDetails(
        case=case_row,
        unit_code=unit.code if unit else None,
        unit_name_zh=unit.name_zh if unit else None,
        unit_name_en=unit.name_en if unit else None,
        category_code=category.code if category else None,
        category_name_zh=category.name_zh if category else None,
        category_name_en=category.name_en if category else None,
        events=fetch_case_events(session=session, case_id=case_row.id),
        attachments=fetch_case_attachments(session=session, case_id=case_row.id),
        reporter=reporter,
        actions=actions_for(case_row, viewer),
    )


def view_case(*, session: Session, number: str, viewer: PersonView) -> CaseDetails:
    """/case NUMBER: the case as `viewer` may see it; a view that shows who reported is written
    to the audit log (`case.view`) in the same transaction."""
    case_row = fetch_case_by_number(session=session, number=number)
    if case_row is None or not may_view(case_row, viewer):
        raise UserError("cases.not_found", number=number)
    return view_case_row(session=session, case_row=case_row, viewer=viewer)


def view_case_row(*, session: Session, case_row: Case, viewer: PersonView) -> CaseDetails:
    """`view_case` for a case row already read in this transaction (and `may_view` checked)."""
    details = _details(session, case_row, viewer)
    if sees_identity(viewer):
        record_audit(
            session=session,
            actor_telegram_id=viewer.telegram_id,
            action="case.view",
            target=case_row.number,
        )
    return details
