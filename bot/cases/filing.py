"""Filing a report: the draft kept between chat steps, its checks, the case number, and the
stored case with its deadline, reporter, files and first event."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.cases.deadlines import due_date
from bot.cases.news import Notice, new_case_notices
from kernel.clock import local_date
from kernel.errors import UserError
from storage.models import Case, CaseAttachment, CaseEvent, CaseReporter, Role
from storage.models.cases import CaseKind, CaseState, Channel
from storage.queries.cases import save_case, take_case_number

MAX_FILES = 5
MIN_DESCRIPTION = 10


def format_number(kind: CaseKind, year: int, seq: int) -> str:
    """`P2026-00042`: kind letter, Gregorian year, five-digit sequence per kind and year."""
    return f"{kind.letter}{year}-{seq:05d}"


@dataclass
class Draft:
    """A report being filed; kept in user data between steps (JSON-friendly)."""

    kind: str = ""
    subject: str = ""
    location: str | None = None
    description: str = ""
    files: list[list[str]] = field(default_factory=list)  # [kind, file_id, name]
    anonymous: bool = False
    contact_name: str | None = None
    contact_phone: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "location": self.location,
            "description": self.description,
            "files": [list(f) for f in self.files],
            "anonymous": self.anonymous,
            "contact_name": self.contact_name,
            "contact_phone": self.contact_phone,
        }

    @classmethod
    def from_dict(cls, data: dict[str, object] | None) -> Draft:
        data = data or {}
        files = data.get("files")

        def text(key: str) -> str | None:
            value = data.get(key)
            return value if isinstance(value, str) else None

        return cls(
            kind=text("kind") or "",
            subject=text("subject") or "",
            location=text("location"),
            description=text("description") or "",
            files=[list(map(str, f)) for f in files] if isinstance(files, list) else [],
            anonymous=bool(data.get("anonymous")),
            contact_name=text("contact_name"),
            contact_phone=text("contact_phone"),
        )


def may_file(kind: CaseKind, roles: frozenset[Role]) -> bool:
    """Monitor reports are for appointed monitors only."""
    return kind is not CaseKind.MONITOR or Role.MONITOR in roles


def check_description(text: str) -> str:
    text = text.strip()
    if len(text) < MIN_DESCRIPTION:
        raise UserError("report.description_short", minimum=MIN_DESCRIPTION)
    return text


def parse_contact(text: str) -> tuple[str, str]:
    """A typed 'name phone' (one message): the last token with 6+ digits is the phone."""
    parts = text.strip().split()
    if len(parts) < 2:
        raise UserError("report.contact_bad")
    phone = parts[-1]
    digits = sum(ch.isdigit() for ch in phone)
    if digits < 6 or any(not (ch.isdigit() or ch in "+-()#") for ch in phone):
        raise UserError("report.contact_bad")
    return " ".join(parts[:-1])[:100], phone[:40]


@dataclass(frozen=True)
class Filed:
    number: str
    due_on: date


def file_case(
    *,
    session: Session,
    draft: Draft,
    person_id: int | None,
    roles: frozenset[Role],
    language: str | None,
    received_at: datetime,
    tz: ZoneInfo,
    reply_days: int,
    counting: str,
    channel: Channel = Channel.TELEGRAM,
    category_id: int | None = None,
    unit_id: int | None = None,
) -> Filed:
    """Store a complete report as a new case with its number, deadline and first event."""
    try:
        kind = CaseKind(draft.kind)
    except ValueError:
        raise UserError("report.kind_unknown") from None
    if channel is Channel.TELEGRAM and not may_file(kind, roles):
        raise UserError("report.monitor_only")
    if not draft.subject.strip():
        raise UserError("report.subject_empty")
    description = check_description(draft.description)
    if len(draft.files) > MAX_FILES:
        raise UserError("report.too_many_files", maximum=MAX_FILES)
    received_on = local_date(received_at, tz)
    year = received_on.year
    seq = take_case_number(session=session, kind=kind, year=year)
    number = format_number(kind, year, seq)
    due_on = due_date(received_on, reply_days, counting)
    state = CaseState.ASSIGNED if unit_id is not None else CaseState.RECEIVED
    row = Case(
        number=number,
        kind=kind.value,
        channel=channel.value,
        year=year,
        seq=seq,
        state=state.value,
        subject=draft.subject.strip()[:500],
        location=(draft.location or "").strip()[:500] or None,
        description=description,
        category_id=category_id,
        unit_id=unit_id,
        received_at=received_at,
        received_on=received_on,
        due_on=due_on,
    )
    reporter = None
    if person_id is not None or draft.contact_name or draft.contact_phone:
        reporter = CaseReporter(
            case_id=0,
            person_id=person_id,
            anonymous=draft.anonymous,
            contact_name=None if draft.anonymous else draft.contact_name,
            contact_phone=None if draft.anonymous else draft.contact_phone,
            language=language,
        )
    attachments = [
        CaseAttachment(case_id=0, kind=k, file_id=file_id, file_name=name or None)
        for k, file_id, name in draft.files
    ]
    event = CaseEvent(
        case_id=0,
        at=received_at,
        actor_id=person_id if channel is Channel.TELEGRAM else None,
        action="file",
        from_state=None,
        to_state=state.value,
        note=channel.value,
    )
    save_case(
        session=session, case_row=row, reporter=reporter, attachments=attachments, event=event
    )
    return Filed(number=number, due_on=due_on)


@dataclass(frozen=True)
class Submitted:
    """A report filed in chat, and the secretariat's news of it to send after commit."""

    number: str
    due_on: date
    notices: list[Notice]


def submit_report(
    *,
    session: Session,
    draft: Draft,
    person_id: int | None,
    roles: frozenset[Role],
    language: str | None,
    received_at: datetime,
    tz: ZoneInfo,
    reply_days: int,
    counting: str,
) -> Submitted:
    """/report's Submit: file the draft and tell the secretariat, in one transaction."""
    filed = file_case(
        session=session,
        draft=draft,
        person_id=person_id,
        roles=roles,
        language=language,
        received_at=received_at,
        tz=tz,
        reply_days=reply_days,
        counting=counting,
    )
    session.flush()
    return Submitted(
        number=filed.number,
        due_on=filed.due_on,
        notices=new_case_notices(session=session, number=filed.number),
    )
