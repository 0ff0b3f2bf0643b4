"""Filing a report: the draft kept between chat steps, its checks, the case number, and the
stored case with its deadline, reporter, files and first event.

What is filed is clean: control characters (a NUL byte breaks PostgreSQL) and zero-width
characters that carry no meaning are removed before storing, and lengths are measured on what a
reader sees, so twelve zero-width spaces are no subject. Attachments are the types a report
needs (images, PDF, Office documents), judged by the declared type and a matching name. One
person files at most `limit_per_hour` reports an hour (`CASE_FILING_LIMIT_PER_HOUR`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.cases.deadlines import due_date
from bot.cases.news import CaseNews, new_case_notices, tell
from kernel.clock import local_date
from kernel.errors import UserError
from storage.models import Case, CaseAttachment, CaseEvent, CaseReporter, Role
from storage.models.cases import CaseKind, CaseState, Channel
from storage.queries.cases import (
    fetch_case_by_number,
    fetch_filing_times,
    save_case,
    take_case_number,
)

MAX_FILES = 5
MIN_DESCRIPTION = 10
MAX_SUBJECT = 500
MAX_DESCRIPTION = 4096
"""What one Telegram message can carry; imported descriptions are held to the same."""

NUMBER_PATTERN = r"[PSMpsm][0-9]{4}-[0-9]{5,7}"
"""A case number as typed or carried by a button: ASCII digits only, bounded."""
_NUMBER = re.compile(NUMBER_PATTERN)


def format_number(kind: CaseKind, year: int, seq: int) -> str:
    """`P2026-00042`: kind letter, Gregorian year, five-digit sequence per kind and year."""
    return f"{kind.letter}{year}-{seq:05d}"


def parse_case_number(text: str) -> str:
    """A typed case number, upper-cased; anything else (`²`, 40 digits …) is one sentence."""
    cleaned = text.strip()
    if not _NUMBER.fullmatch(cleaned):
        shown = clean_line(cleaned)[:20] or "—"
        raise UserError("cases.bad_number", value=shown)
    return cleaned.upper()


_MEANINGLESS = "\u200b\u2060\ufeff\u180e\u00ad"
"""Zero-width space, word joiner, BOM, Mongolian vowel separator, soft hyphen: no meaning in a
report. Zero-width (non-)joiners stay: emoji and some scripts need them."""
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
"""Unicode's control characters (category Cc) but for tab and line feed."""
_NOT_IN_TEXT = re.compile(f"[{_CONTROLS}{_MEANINGLESS}]")
_NOT_IN_LINE = re.compile(f"[\t\n{_CONTROLS}{_MEANINGLESS}]")
_CONTROL = re.compile(f"[{_CONTROLS}]")


def without_controls(text: str) -> str:
    """`text` with control characters other than line breaks and tabs removed, else as is."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def clean_text(text: str) -> str:
    """Text as stored: line breaks as `\n`, tabs kept, other control and meaningless
    zero-width characters removed, surrounding blanks stripped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _NOT_IN_TEXT.sub("", text).strip()


def clean_line(text: str) -> str:
    """`clean_text` on one line: line breaks and tabs become spaces."""
    text = re.sub(r"[\r\n\t]+", " ", text)
    return _NOT_IN_LINE.sub("", text).strip()


def visible_length(text: str) -> int:
    """Characters a reader sees: no blanks, no control or format (zero-width) characters."""
    seen = "".join(text.split())
    if seen.isprintable():  # the usual case: nothing of categories C* or Z* left
        return len(seen)
    return sum(1 for c in seen if unicodedata.category(c) not in ("Cc", "Cf"))


def check_subject(text: str) -> str:
    """The subject as stored, or a UserError when nothing visible is left."""
    subject = clean_line(text)[:MAX_SUBJECT]
    if visible_length(subject) == 0:
        raise UserError("report.subject_empty")
    return subject


def check_location(text: str) -> str | None:
    """Where it was seen, as stored (None when nothing visible is left)."""
    location = clean_line(text)[:500]
    return location if visible_length(location) else None


ATTACHMENT_TYPES: dict[str, frozenset[str]] = {
    "image/jpeg": frozenset({"jpg", "jpeg", "jfif"}),
    "image/png": frozenset({"png"}),
    "image/gif": frozenset({"gif"}),
    "image/webp": frozenset({"webp"}),
    "image/heic": frozenset({"heic"}),
    "image/heif": frozenset({"heif", "heic"}),
    "image/tiff": frozenset({"tif", "tiff"}),
    "application/pdf": frozenset({"pdf"}),
    "application/msword": frozenset({"doc"}),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": frozenset({"docx"}),
    "application/vnd.ms-excel": frozenset({"xls"}),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": frozenset({"xlsx"}),
    "application/vnd.ms-powerpoint": frozenset({"ppt"}),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": frozenset(
        {"pptx"}
    ),
    "application/vnd.oasis.opendocument.text": frozenset({"odt"}),
    "application/vnd.oasis.opendocument.spreadsheet": frozenset({"ods"}),
    "application/vnd.oasis.opendocument.presentation": frozenset({"odp"}),
}
"""The declared (MIME) types a report's documents may have, and the name endings each allows:
a name must end in one of its type's, so `invoice.pdf.exe` declared as a PDF is refused."""


def check_attachment(*, mime_type: str | None, file_name: str | None) -> None:
    """Refuse a document whose declared type is not one a report needs, or whose name does not
    end as that type does (an executable dressed as a PDF)."""
    allowed = ATTACHMENT_TYPES.get((mime_type or "").lower().split(";")[0].strip())
    name = clean_line(file_name or "")
    ending = name.rpartition(".")[2].lower() if "." in name else None
    if allowed is None or (name and ending not in allowed):
        raise UserError("report.file_type")


def check_filing_limit(
    session: Session, *, person_id: int, now: datetime, limit: int, tz: ZoneInfo
) -> None:
    """Refuse a report from a person who filed `limit` in the last hour, saying from when
    (local time) they may file again."""
    since = now - timedelta(hours=1)
    times = fetch_filing_times(session=session, person_id=person_id, since=since)
    if len(times) >= limit:
        again = times[-limit] + timedelta(hours=1)
        raise UserError(
            "report.limit", count=len(times), at=again.astimezone(tz).strftime("%H:%M")
        )


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
    contact_address: str | None = None
    contact_email: str | None = None

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
            "contact_address": self.contact_address,
            "contact_email": self.contact_email,
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
            contact_address=text("contact_address"),
            contact_email=text("contact_email"),
        )


def may_file(kind: CaseKind, roles: frozenset[Role]) -> bool:
    """Monitor reports are for appointed monitors only."""
    return kind is not CaseKind.MONITOR or Role.MONITOR in roles


def check_description(text: str) -> str:
    """The description as stored, or a UserError when fewer than `MIN_DESCRIPTION` characters
    are visible."""
    text = clean_text(text)
    if visible_length(text) < MIN_DESCRIPTION:
        raise UserError("report.description_short", minimum=MIN_DESCRIPTION)
    return text[:MAX_DESCRIPTION]


def parse_contact(text: str) -> tuple[str, str]:
    """A typed 'name phone' (one message): the last token with 6+ digits is the phone."""
    parts = clean_line(text).split()
    if len(parts) < 2:
        raise UserError("report.contact_bad")
    phone = parts[-1]
    digits = sum(ch.isdigit() for ch in phone)
    if digits < 6 or any(not (ch.isdigit() or ch in "+-()#") for ch in phone):
        raise UserError("report.contact_bad")
    return " ".join(parts[:-1])[:100], phone[:40]


def _contact(value: str | None, limit: int) -> str | None:
    return clean_line(value or "")[:limit] or None


@dataclass(frozen=True)
class Filed:
    number: str
    due_on: date


def file_case(
    session: Session,
    *,
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
    subject = check_subject(draft.subject)
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
        subject=subject,
        location=check_location(draft.location or ""),
        description=description,
        category_id=category_id,
        unit_id=unit_id,
        received_at=received_at,
        received_on=received_on,
        due_on=due_on,
    )
    reporter = None
    given = (draft.contact_name, draft.contact_phone, draft.contact_address, draft.contact_email)
    if person_id is not None or draft.anonymous or any(given):
        hidden = draft.anonymous
        reporter = CaseReporter(
            case_id=0,
            person_id=person_id,
            anonymous=draft.anonymous,
            contact_name=None if hidden else _contact(draft.contact_name, 100),
            contact_phone=None if hidden else _contact(draft.contact_phone, 40),
            contact_address=None if hidden else _contact(draft.contact_address, 300),
            contact_email=None if hidden else _contact(draft.contact_email, 254),
            language=language,
        )
    attachments = [
        CaseAttachment(
            case_id=0, kind=k, file_id=clean_line(file_id), file_name=clean_line(name) or None
        )
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
    """A report filed in chat, and the secretariat's news of it (written to the outbox with
    the case; the reporter's receipt, with the number, is the Submit button's own answer)."""

    number: str
    due_on: date
    notices: list[CaseNews]


def submit_report(
    session: Session,
    *,
    draft: Draft,
    person_id: int | None,
    roles: frozenset[Role],
    language: str | None,
    received_at: datetime,
    tz: ZoneInfo,
    reply_days: int,
    counting: str,
    limit_per_hour: int,
) -> Submitted:
    """/report's Submit: file the draft and tell the secretariat (outbox rows), in one
    transaction; refused
    when the person already filed `limit_per_hour` reports in the hour before."""
    if person_id is not None:
        check_filing_limit(
            session=session, person_id=person_id, now=received_at, limit=limit_per_hour, tz=tz
        )
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
    notices = tell_secretariat(session, number=filed.number, now=received_at)
    return Submitted(number=filed.number, due_on=filed.due_on, notices=notices)


def tell_secretariat(session: Session, *, number: str, now: datetime) -> list[CaseNews]:
    """Write the secretariat's news of a case just filed to the outbox, so it assigns it."""
    session.flush()
    notices = new_case_notices(session=session, number=number)
    case_row = fetch_case_by_number(session=session, number=number)
    tell(
        session=session,
        case_id=case_row.id if case_row is not None else None,
        notices=notices,
        now=now,
    )
    return notices
