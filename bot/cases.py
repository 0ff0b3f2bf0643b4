"""Case rules: numbers, deadlines on Taiwan's work calendar, the lifecycle, who may do what.

Plain functions taking a session and plain values; handlers and the CLI call them and turn the
returned `Notice`s into messages. Nothing here imports telegram.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlmodel import Session

from kernel import workcalendar
from kernel.clock import local_date, utcnow
from kernel.errors import UserError
from storage.models import Case, CaseAttachment, CaseEvent, CaseReporter, Category, Role, Unit
from storage.models.cases import FINAL_STATES, CaseKind, CaseState, Channel, Closure
from storage.queries.cases import (
    add_case_event,
    fetch_case_attachments,
    fetch_case_by_number,
    fetch_case_events,
    fetch_case_reporter,
    fetch_category_by_code,
    fetch_role_people,
    fetch_unit_inspectors,
    save_case,
    set_case_counter,
    take_case_number,
)
from storage.queries.people import PersonView, fetch_unit_by_code, fetch_units

MAX_FILES = 5
MIN_DESCRIPTION = 10
MAX_ACTION_TEXT = 3500
"""A staff text that may be sent on to the reporter must fit in one Telegram message (4,096
characters) with the words around it."""
SECRETARIAT_ROLES = frozenset({Role.SECRETARIAT, Role.ADMIN})


# --- Deadlines --------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def add_days(start: date, days: int, counting: str) -> date:
    """`days` after `start`: working days on the official calendar, or calendar days."""
    if counting == "calendar":
        return start + timedelta(days=days)
    return workcalendar.add_working_days(start, days)


def days_between(start: date, end: date, counting: str) -> int:
    """Days after `start` up to and including `end`, counted the same way."""
    if counting == "calendar":
        return (end - start).days
    return workcalendar.working_days_between(start, end)


def due_date(received_on: date, reply_days: int, counting: str) -> date:
    """The final-reply deadline: `reply_days` from receipt (the day of receipt not counted)."""
    return add_days(received_on, reply_days, counting)


def closure_for(answered_on: date, due_on: date) -> Closure:
    """依限辦結 when answered on or before the deadline, else 逾限辦結."""
    return Closure.ON_TIME if answered_on <= due_on else Closure.LATE


def format_number(kind: CaseKind, year: int, seq: int) -> str:
    """`P2026-00042`: kind letter, Gregorian year, five-digit sequence per kind and year."""
    return f"{kind.letter}{year}-{seq:05d}"


# --- Filing -----------------------------------------------------------------------------------


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


# --- Staff actions ----------------------------------------------------------------------------


class Action:
    """What staff can do to a case (button and command names)."""

    ASSIGN = "assign"
    CATEGORY = "category"
    INVESTIGATE = "investigate"
    NOTE = "note"
    ASK_INFO = "ask"
    INFO = "info"  # the reporter's answer
    REPLY = "reply"
    EXTEND = "extend"
    TRANSFER = "transfer"
    DUPLICATE = "duplicate"
    NOT_HANDLED = "not_handled"
    CLOSE = "close"


TEXT_ACTIONS = (
    Action.NOTE,
    Action.ASK_INFO,
    Action.REPLY,
    Action.EXTEND,
    Action.TRANSFER,
    Action.DUPLICATE,
    Action.NOT_HANDLED,
)
"""Actions that need a line of text from staff (note, question, reply, reason …)."""

TEXT_INPUT_ERRORS = frozenset(
    {"cases.text_needed", "cases.text_too_long", "cases.extend_bad", "cases.duplicate_bad"}
)
"""Errors in the text itself: the person is asked for the text again. Any other refusal (the
case moved on, the person may not act) ends the wait for a text."""

SECRETARIAT_ONLY = frozenset(
    {Action.ASSIGN, Action.TRANSFER, Action.DUPLICATE, Action.NOT_HANDLED}
)

_ALLOWED_FROM: dict[str, frozenset[CaseState]] = {
    Action.ASSIGN: frozenset(
        {CaseState.RECEIVED, CaseState.ASSIGNED, CaseState.INVESTIGATING, CaseState.NEEDS_INFO}
    ),
    Action.INVESTIGATE: frozenset({CaseState.ASSIGNED}),
    Action.ASK_INFO: frozenset({CaseState.RECEIVED, CaseState.ASSIGNED, CaseState.INVESTIGATING}),
    Action.INFO: frozenset({CaseState.NEEDS_INFO}),
    Action.REPLY: frozenset(
        {CaseState.ASSIGNED, CaseState.INVESTIGATING, CaseState.NEEDS_INFO, CaseState.REPLIED}
    ),
    Action.CLOSE: frozenset({CaseState.REPLIED}),
}
_OPEN = frozenset(CaseState) - FINAL_STATES
for _action in (Action.NOTE, Action.CATEGORY, Action.TRANSFER, Action.DUPLICATE):
    _ALLOWED_FROM[_action] = _OPEN
_ALLOWED_FROM[Action.NOT_HANDLED] = _OPEN
_ALLOWED_FROM[Action.EXTEND] = _OPEN - {CaseState.REPLIED}


def actions_for(case_row: Case, person: PersonView) -> list[str]:
    """The actions this person may take on this case now, in button order."""
    state = CaseState(case_row.state)
    secretariat = person.has_any(SECRETARIAT_ROLES)
    own_unit = case_row.unit_id is not None and case_row.unit_id in person.unit_ids
    if not secretariat and not (own_unit and Role.INSPECTOR in person.roles):
        return []
    order = [
        Action.ASSIGN,
        Action.CATEGORY,
        Action.INVESTIGATE,
        Action.NOTE,
        Action.ASK_INFO,
        Action.REPLY,
        Action.EXTEND,
        Action.TRANSFER,
        Action.DUPLICATE,
        Action.NOT_HANDLED,
        Action.CLOSE,
    ]
    return [
        a
        for a in order
        if state in _ALLOWED_FROM.get(a, frozenset())
        and (secretariat or a not in SECRETARIAT_ONLY)
    ]


def may_view(case_row: Case, person: PersonView) -> bool:
    """Secretariat and admins see every case; inspectors see their units' cases."""
    if person.has_any(SECRETARIAT_ROLES):
        return True
    return (
        Role.INSPECTOR in person.roles
        and case_row.unit_id is not None
        and case_row.unit_id in person.unit_ids
    )


def check_action(*, session: Session, number: str, action: str, actor: PersonView) -> str:
    """Refuse with a UserError an action `actor` may not take on the case now (before a button
    asks for a unit, a category or a text); returns the case number as stored."""
    case_row = fetch_case_by_number(session=session, number=number)
    if case_row is None or not may_view(case_row, actor):
        raise UserError("cases.not_found", number=number)
    if action not in actions_for(case_row, actor):
        raise UserError("cases.action_not_allowed", number=case_row.number)
    return case_row.number


def check_info_request(*, session: Session, number: str, reporter: PersonView) -> str:
    """Refuse with a UserError an answer to a request for information that no longer waits
    (answered, or the case moved on) or is not this person's; returns the case number."""
    case_row = fetch_case_by_number(session=session, number=number)
    if case_row is None or case_row.id is None:
        raise UserError("report.info_not_waiting", number=number)
    _, person = fetch_case_reporter(session=session, case_id=case_row.id)
    if person is None or person.id != reporter.id or case_row.state != CaseState.NEEDS_INFO:
        raise UserError("report.info_not_waiting", number=case_row.number)
    return case_row.number


def sees_identity(person: PersonView) -> bool:
    """Only the secretariat and admins see who reported."""
    return person.has_any(SECRETARIAT_ROLES)


@dataclass(frozen=True)
class Notice:
    """A message to send after the transaction: chat, language, catalogue key and values."""

    chat_id: int
    language: str | None
    key: str
    values: dict[str, object]


@dataclass(frozen=True)
class Outcome:
    number: str
    state: str
    due_on: date
    notices: list[Notice]


def _reporter_notice(session: Session, case_row: Case, key: str, **values: object) -> list[Notice]:
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
        )
    ]


def _unit_notices(session: Session, case_row: Case, unit_id: int) -> list[Notice]:
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
                "due": case_row.due_on.isoformat(),
            },
        )
        for p in fetch_unit_inspectors(session=session, unit_id=unit_id)
    ]


def _resume_clock(case_row: Case, today: date, counting: str) -> None:
    """End a needs_info pause: the deadline moves by the days the clock stood still."""
    if case_row.paused_on is not None:
        paused = max(0, days_between(case_row.paused_on, today, counting))
        case_row.due_on = add_days(case_row.due_on, paused, counting)
        case_row.paused_on = None


def _finish(case_row: Case, state: CaseState, today: date, counting: str) -> None:
    """Close the case in `state`: 依限 or 逾限 by the reply date (or today) against the deadline;
    days to close are calendar days from receipt."""
    _resume_clock(case_row, today, counting)
    case_row.state = state.value
    case_row.closed_on = today
    answered = case_row.replied_on or today
    case_row.closure = closure_for(answered, case_row.due_on).value
    case_row.days_to_close = (today - case_row.received_on).days


def act(
    *,
    session: Session,
    number: str,
    action: str,
    actor: PersonView | None,
    today: date,
    counting: str,
    text: str | None = None,
    unit_code: str | None = None,
    category_code: str | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Apply one staff action (or the reporter's answer, `info`) to a case, write its event,
    and return who must be told. Refuses with a UserError what the person may not do."""
    case_row = fetch_case_by_number(session=session, number=number, lock=True)
    if case_row is None:
        raise UserError("cases.not_found", number=number)
    assert case_row.id is not None
    before = CaseState(case_row.state)
    if action == Action.INFO:
        reporter, person = fetch_case_reporter(session=session, case_id=case_row.id)
        if actor is None or person is None or person.id != actor.id:
            raise UserError("cases.not_found", number=number)
    elif actor is None or action not in actions_for(case_row, actor):
        if actor is not None and not may_view(case_row, actor):
            raise UserError("cases.not_found", number=number)
        raise UserError("cases.action_not_allowed", number=case_row.number)
    if before not in _ALLOWED_FROM.get(action, frozenset()):
        raise UserError("cases.action_not_allowed", number=case_row.number)
    note = (text or "").strip() or None
    if action in TEXT_ACTIONS and note is None:
        raise UserError("cases.text_needed")
    if note is not None and len(note) > MAX_ACTION_TEXT:
        raise UserError("cases.text_too_long", length=len(note), maximum=MAX_ACTION_TEXT)
    notices: list[Notice] = []
    after = before
    if action == Action.ASSIGN:
        unit = fetch_unit_by_code(session=session, code=unit_code or "")
        if unit is None or unit.id is None:
            raise UserError("cases.unit_unknown", unit=unit_code or "")
        if unit.id == case_row.unit_id:  # a second press: nobody is told twice
            raise UserError("cases.already_assigned", number=case_row.number)
        case_row.unit_id = unit.id
        if before is CaseState.RECEIVED:
            after = CaseState.ASSIGNED
        note = unit.code
        notices = _reporter_notice(session, case_row, "cases.notify.assigned")
        notices += _unit_notices(session, case_row, unit.id)
    elif action == Action.CATEGORY:
        category = fetch_category_by_code(session=session, code=category_code or "")
        if category is None:
            raise UserError("cases.category_unknown", category=category_code or "")
        case_row.category_id = category.id
        note = category.code
    elif action == Action.INVESTIGATE:
        after = CaseState.INVESTIGATING
    elif action == Action.ASK_INFO:
        after = CaseState.NEEDS_INFO
        case_row.paused_on = today
        notices = _reporter_notice(session, case_row, "cases.notify.ask", question=note)
    elif action == Action.INFO:
        after = CaseState.INVESTIGATING if case_row.unit_id else CaseState.RECEIVED
        if case_row.unit_id is not None:
            notices = [
                Notice(
                    chat_id=p.telegram_id,
                    language=p.language,
                    key="cases.notify.info_received",
                    values={"number": case_row.number, "info": note},
                )
                for p in fetch_unit_inspectors(session=session, unit_id=case_row.unit_id)
            ]
        _resume_clock(case_row, today, counting)
    elif action == Action.REPLY:
        after = CaseState.REPLIED
        _resume_clock(case_row, today, counting)
        case_row.replied_on = case_row.replied_on or today
        case_row.reply_text = note
        notices = _reporter_notice(session, case_row, "cases.notify.reply", reply=note)
    elif action == Action.EXTEND:
        days_text, _, reason = (note or "").partition(" ")
        if not days_text.isdigit() or not 1 <= int(days_text) <= 60 or not reason.strip():
            raise UserError("cases.extend_bad")
        days = int(days_text)
        case_row.extended_days += days
        case_row.due_on = add_days(case_row.due_on, days, counting)
        note = f"+{days}: {reason.strip()}"
        notices = _reporter_notice(
            session, case_row, "cases.notify.extended", reason=reason.strip(), due=case_row.due_on
        )
    elif action == Action.TRANSFER:
        case_row.reason = note
        _finish(case_row, CaseState.TRANSFERRED, today, counting)
        after = CaseState.TRANSFERRED
        notices = _reporter_notice(session, case_row, "cases.notify.transferred", note=note)
    elif action == Action.DUPLICATE:
        other = fetch_case_by_number(session=session, number=note or "")
        if other is None or other.id == case_row.id:
            raise UserError("cases.duplicate_bad", number=note or "")
        case_row.duplicate_of_id = other.id
        case_row.reason = other.number
        _finish(case_row, CaseState.DUPLICATE, today, counting)
        after = CaseState.DUPLICATE
        note = other.number
        notices = _reporter_notice(session, case_row, "cases.notify.duplicate", other=other.number)
    elif action == Action.NOT_HANDLED:
        case_row.reason = note
        _finish(case_row, CaseState.NOT_HANDLED, today, counting)
        after = CaseState.NOT_HANDLED
        notices = _reporter_notice(session, case_row, "cases.notify.not_handled", reason=note)
    elif action == Action.CLOSE:
        _finish(case_row, CaseState.CLOSED, today, counting)
        after = CaseState.CLOSED
        notices = _reporter_notice(session, case_row, f"cases.notify.closed_{case_row.closure}")
    case_row.state = after.value
    session.add(case_row)
    add_case_event(
        session=session,
        case_id=case_row.id,
        at=now or utcnow(),
        actor_id=actor.id if actor else None,
        action=action,
        from_state=before.value,
        to_state=after.value,
        note=note,
    )
    session.flush()
    return Outcome(
        number=case_row.number, state=case_row.state, due_on=case_row.due_on, notices=notices
    )


# --- Import -----------------------------------------------------------------------------------

IMPORT_COLUMNS = ("channel", "kind", "received_on", "subject", "description")
OPTIONAL_COLUMNS = ("location", "category", "unit", "contact_name", "contact_phone")
IMPORT_CHANNELS = (Channel.PHONE, Channel.LETTER, Channel.WEB, Channel.EMAIL)


def import_cases(
    *, session: Session, text: str, tz: ZoneInfo, reply_days: int, counting: str, today: date
) -> list[str]:
    """Store every row of a CSV of cases received off-line; all rows or none. Returns numbers."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in IMPORT_COLUMNS if c not in header]
    if missing:
        raise UserError("case_import.missing_columns", columns=", ".join(missing))
    numbers = []
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        try:
            channel = Channel(row["channel"].lower())
            if channel not in IMPORT_CHANNELS:
                raise ValueError
        except ValueError:
            raise UserError(
                "case_import.bad_channel",
                line=line,
                value=row["channel"],
                allowed=", ".join(c.value for c in IMPORT_CHANNELS),
            ) from None
        try:
            received_on = date.fromisoformat(row["received_on"])
        except ValueError:
            raise UserError("case_import.bad_date", line=line, value=row["received_on"]) from None
        if received_on > today:
            raise UserError("case_import.future_date", line=line, value=row["received_on"])
        category_id = None
        if row.get("category"):
            category = fetch_category_by_code(session=session, code=row["category"])
            if category is None:
                raise UserError("case_import.bad_category", line=line, value=row["category"])
            category_id = category.id
        unit_id = None
        if row.get("unit"):
            unit = fetch_unit_by_code(session=session, code=row["unit"])
            if unit is None:
                raise UserError("case_import.bad_unit", line=line, value=row["unit"])
            unit_id = unit.id
        if row["kind"].lower() not in {k.value for k in CaseKind}:
            raise UserError("case_import.bad_kind", line=line, value=row["kind"])
        if not row["subject"]:
            raise UserError("case_import.empty_subject", line=line)
        if len(row["description"]) < MIN_DESCRIPTION:
            raise UserError("case_import.short_description", line=line, minimum=MIN_DESCRIPTION)
        draft = Draft(
            kind=row["kind"].lower(),
            subject=row["subject"],
            location=row.get("location") or None,
            description=row["description"],
            contact_name=row.get("contact_name") or None,
            contact_phone=row.get("contact_phone") or None,
        )
        filed = file_case(
            session=session,
            draft=draft,
            person_id=None,
            roles=frozenset(),
            language=None,
            received_at=datetime.combine(received_on, time(9, 0), tzinfo=tz),
            tz=tz,
            reply_days=reply_days,
            counting=counting,
            channel=channel,
            category_id=category_id,
            unit_id=unit_id,
        )
        numbers.append(filed.number)
    if not numbers:
        raise UserError("case_import.empty")
    return numbers


# --- Demo data --------------------------------------------------------------------------------

_PRODUCTS = [
    "行動電源 PowerMax 20000mAh",
    "電暖器 WarmUp HX-200",
    "兒童玩具 積木組 BlockFun",
    "延長線 SafePlug 6 孔",
    "安全帽 RideSafe R1",
    "電動自行車充電器 EC-48",
    "LED 燈泡 BrightLite 12W",
    "吹風機 AirDry 1200",
    "電熱水壺 HotPot K-17",
    "嬰兒床 SleepWell Mini",
    "USB 充電器 QuickCharge 65W",
    "除濕機 DryAir D12",
]
_PLACES = ["新竹市東區某量販店", "竹北市購物中心", "桃園市中壢區夜市", "網路商城 shop.example.tw"]
_SERVICE = [
    "報驗櫃台等候時間過長",
    "電話轉接未有人接聽",
    "申請案件進度未獲回覆",
    "網站表單無法送出",
]
_PRODUCT_UNITS = ["sec1", "sec2", "sec3", "sec4", "sec5", "sec6", "taoyuan", "airport"]
_CATEGORY_BY_KIND = {
    "product": ["market", "rpc", "cns", "regulated"],
    "monitor": ["market", "rpc"],
}


def seed_demo(*, session: Session, rng: random.Random, year: int) -> None:
    """About 350 public and 250 monitor cases over `year` (up to today), most closed, some late,
    a few open or overdue. Needs only the seeded units and categories."""
    tz = ZoneInfo("Asia/Taipei")
    today = min(date(year, 12, 31), datetime.now(tz).date())
    first = date(year, 1, 1)
    if today < first:
        return
    days = workcalendar.working_days_in(first, today)
    fraction = (today - first).days / 365
    units = {u.code: u.id for u in fetch_units(session=session)}
    categories = {
        code: fetch_category_by_code(session=session, code=code)
        for code in ("market", "rpc", "cns", "regulated", "metrology")
    }
    counts = {
        CaseKind.PRODUCT: round(300 * fraction),
        CaseKind.SERVICE: round(50 * fraction),
        CaseKind.MONITOR: round(250 * fraction),
    }
    for kind, count in counts.items():
        received = sorted(rng.choice(days) for _ in range(count))
        for seq, received_on in enumerate(received, start=1):
            due_on = due_date(received_on, 30, "working")
            if kind is CaseKind.SERVICE:
                subject = rng.choice(_SERVICE)
                unit_code = rng.choice(["secretariat", "sec1", "personnel"])
                category = None
            else:
                subject = rng.choice(_PRODUCTS)
                unit_code = rng.choice(_PRODUCT_UNITS)
                category = categories.get(rng.choice(_CATEGORY_BY_KIND[kind.value]))
            age = (today - received_on).days
            roll = rng.random()
            state = CaseState.CLOSED
            replied_on = closed_on = None
            if age < 10 and roll < 0.5:
                state = rng.choice([CaseState.RECEIVED, CaseState.ASSIGNED])
            elif age < 45 and roll < 0.35:
                state = rng.choice([CaseState.INVESTIGATING, CaseState.NEEDS_INFO])
            elif roll < 0.015:
                state = CaseState.INVESTIGATING  # overdue
            elif roll < 0.05:
                state = rng.choice(
                    [CaseState.DUPLICATE, CaseState.NOT_HANDLED, CaseState.TRANSFERRED]
                )
            if state in FINAL_STATES:
                late = rng.random() < 0.06
                span = workcalendar.working_days_between(received_on, due_on)
                answer_in = span + rng.randint(1, 6) if late else rng.randint(3, span)
                replied_on = add_days(received_on, answer_in, "working")
                closed_on = replied_on + timedelta(days=rng.choice([0, 0, 1, 2]))
                if closed_on > today:
                    state, replied_on, closed_on = CaseState.INVESTIGATING, None, None
            row = Case(
                number=format_number(kind, year, seq),
                kind=kind.value,
                channel=rng.choice(
                    [Channel.TELEGRAM] * 6 + [Channel.PHONE, Channel.WEB, Channel.LETTER]
                ).value,
                year=year,
                seq=seq,
                state=state.value,
                subject=subject,
                location=None if kind is CaseKind.SERVICE else rng.choice(_PLACES),
                description=f"{subject}：民眾反映疑似不符檢驗規定，請協助查明並依法處理。",
                category_id=category.id if category else None,
                unit_id=None if state is CaseState.RECEIVED else units.get(unit_code),
                received_at=datetime.combine(received_on, time(rng.randint(8, 17)), tzinfo=tz),
                received_on=received_on,
                due_on=due_on,
                paused_on=today if state is CaseState.NEEDS_INFO else None,
                replied_on=replied_on,
                closed_on=closed_on,
            )
            if closed_on is not None and replied_on is not None:
                row.closure = closure_for(replied_on, due_on).value
                row.days_to_close = (closed_on - received_on).days
                if state is CaseState.CLOSED:
                    row.reply_text = "經查核已依規定處理，感謝您的反映。"
                else:
                    row.reason = "示範資料"
            session.add(row)
            session.flush()
            assert row.id is not None
            session.add(
                CaseEvent(
                    case_id=row.id,
                    at=row.received_at,
                    action="file",
                    to_state=CaseState.RECEIVED.value,
                    note=row.channel,
                )
            )
            if state is not CaseState.RECEIVED:
                session.add(
                    CaseEvent(
                        case_id=row.id,
                        at=row.received_at + timedelta(days=1),
                        action=Action.ASSIGN,
                        from_state=CaseState.RECEIVED.value,
                        to_state=CaseState.ASSIGNED.value,
                        note=unit_code,
                    )
                )
            if closed_on is not None:
                session.add(
                    CaseEvent(
                        case_id=row.id,
                        at=datetime.combine(closed_on, time(16), tzinfo=tz),
                        action="close",
                        from_state=CaseState.ASSIGNED.value,
                        to_state=state.value,
                    )
                )
        set_case_counter(session=session, kind=kind, year=year, last_seq=count)
    session.flush()


# --- Reading ----------------------------------------------------------------------------------


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
