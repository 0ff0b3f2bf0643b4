"""One case as a viewer may see it: the reporter only for the secretariat and admins, and the
actions the viewer may take now. Viewing a reporter's identity is written to the audit log, and
so is a refused look at a case the viewer may not see.

Anonymous means anonymous: the Telegram account of a reporter who chose to stay anonymous is
never shown to anyone, the secretariat included (nor their name, which Telegram would give);
it is kept only to send them news of their own case and to list it under /status."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sqlmodel import Session

from bot.cases.actions import Refused, actions_for, may_view, refuse, sees_identity
from kernel.errors import UserError
from storage.models import Case, CaseAttachment, CaseEvent, Category, Unit
from storage.models.cases import Channel, ReplyChannel
from storage.queries.audit import record_audit
from storage.queries.cases import (
    fetch_case_attachments,
    fetch_case_by_number,
    fetch_case_events,
    fetch_case_reporter,
)
from storage.queries.outbox.case_messages import (
    REPLY_KEY,
    UNDELIVERED,
    CaseMessage,
    fetch_reporter_messages,
)
from storage.queries.people import PersonView

HistoryEntry = CaseEvent | CaseMessage
"""One line of a case's history: something done to the case, or a message to the petitioner."""
_UNDATED = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Reporter:
    """The reporter as the secretariat sees it."""

    telegram_id: int | None
    name: str | None
    phone: str | None
    anonymous: bool
    forgotten: bool
    address: str | None = None
    email: str | None = None


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
    messages: list[CaseMessage] = field(default_factory=list)
    """What the reporter was sent about the case, each with its delivery's state: the proof."""
    answer_by: tuple[str, ...] = ()
    """A petitioner without a chat: how they can be answered (`ReplyChannel` values, by what
    they gave: a phone, an address, an e-mail); shown to every viewer, the numbers and
    addresses themselves only in `reporter`."""

    @property
    def off_chat(self) -> bool:
        """The case came by phone, letter, e-mail, walk-in or the web: replies are recorded."""
        return self.case.channel != Channel.TELEGRAM.value

    @property
    def reply_undelivered(self) -> bool:
        """The final reply's last copy was refused (blocked, failed): the secretariat must
        answer by phone or letter."""
        replies = [m for m in self.messages if m.key == REPLY_KEY]
        return bool(replies) and replies[-1].status in UNDELIVERED

    @property
    def history(self) -> list[HistoryEntry]:
        """The case's events and its messages to the petitioner in the order they happened: a
        message by when it was written, so it follows the event that wrote it (same moment)."""
        timed: list[tuple[datetime, int, int, HistoryEntry]]
        timed = [(e.at, 0, i, e) for i, e in enumerate(self.events)]
        timed += [(m.queued_at or _UNDATED, 1, i, m) for i, m in enumerate(self.messages)]
        return [entry for *_, entry in sorted(timed, key=lambda row: row[:3])]


def fetch_case_details(session: Session, *, number: str, viewer: PersonView) -> CaseDetails:
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
    row, person = fetch_case_reporter(session=session, case_id=case_row.id)
    answer_by: tuple[str, ...] = ()
    if case_row.channel != Channel.TELEGRAM.value and not row.anonymous:
        given = (
            (ReplyChannel.PHONE, row.contact_phone),
            (ReplyChannel.LETTER, row.contact_address),
            (ReplyChannel.EMAIL, row.contact_email),
        )
        answer_by = tuple(how.value for how, value in given if value)
    if sees_identity(viewer):
        if row.anonymous:
            person = None  # never shown: kept only to tell the reporter about their case
        reporter = Reporter(
            telegram_id=person.telegram_id if person else None,
            name=row.contact_name or (person.first_name if person else None),
            phone=None if row.anonymous else row.contact_phone,
            anonymous=row.anonymous,
            forgotten=row.id is None and case_row.channel == Channel.TELEGRAM.value,
            address=None if row.anonymous else row.contact_address,
            email=None if row.anonymous else row.contact_email,
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
        messages=fetch_reporter_messages(session=session, case_ids=[case_row.id]),
        answer_by=answer_by,
    )


def _visible(session: Session, number: str, viewer: PersonView, action: str) -> Case | Refused:
    """The case if `viewer` may see it; a refusal (audited as `case.<action>`) if it exists
    but they may not; a UserError if there is no such case."""
    case_row = fetch_case_by_number(session=session, number=number)
    if case_row is None:
        raise UserError("cases.not_found", number=number)
    if not may_view(case_row, viewer):
        return refuse(
            session=session, case_row=case_row, action=action, person=viewer, reason="not_visible"
        )
    return case_row


def view_case(session: Session, *, number: str, viewer: PersonView) -> CaseDetails | Refused:
    """/case NUMBER: the case as `viewer` may see it; a view that shows who reported is written
    to the audit log (`case.view`) in the same transaction, and so is a refused one."""
    case_row = _visible(session, number, viewer, "view")
    if isinstance(case_row, Refused):
        return case_row
    return view_case_row(session=session, case_row=case_row, viewer=viewer)


def case_files(
    session: Session, *, number: str, viewer: PersonView
) -> list[CaseAttachment] | Refused:
    """The reporter's files of a case `viewer` may see (a refusal audited as `case.files`)."""
    case_row = _visible(session, number, viewer, "files")
    if isinstance(case_row, Refused):
        return case_row
    assert case_row.id is not None
    return fetch_case_attachments(session=session, case_id=case_row.id)


def full_case(session: Session, *, number: str, viewer: PersonView) -> CaseDetails | Refused:
    """The "full text" of a case card: its texts and whole history, never the reporter (a
    refusal audited as `case.more`)."""
    case_row = _visible(session, number, viewer, "more")
    if isinstance(case_row, Refused):
        return case_row
    return replace(_details(session, case_row, viewer), reporter=None)


def view_case_row(session: Session, *, case_row: Case, viewer: PersonView) -> CaseDetails:
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
