"""What each action does to a case: assign, ask the reporter, reply, extend, transfer, close …

Who may take which action in which state is in `actions`; here each action checks it again under
a row lock, changes the case, writes its event, (for staff, in `take_action`) its audit row and
the news for whoever must be told (outbox rows, `news.tell`) in the same transaction. The
deadline stands still while the case waits for the reporter (`needs_info`) and moves by the days
it stood still.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot.cases.actions import (
    CHOICE_ACTIONS,
    TEXT_ACTIONS,
    Action,
    Refused,
    actions_for,
    allowed_in,
    may_view,
    refusal_reason,
    refuse,
    sees_identity,
)
from bot.cases.deadlines import add_days, closure_for, days_between
from bot.cases.details import CaseDetails, view_case_row
from bot.cases.filing import clean_text, without_controls
from bot.cases.letters import ReplyLetter, read_reply_letter
from bot.cases.news import CaseNews, info_received_notices, reporter_notice, tell, unit_notices
from kernel.clock import utcnow
from kernel.dates import parse_day
from kernel.errors import UserError
from storage.models import Case, Category, Unit
from storage.models.cases import CaseState, Channel, ReplyChannel
from storage.queries.audit import record_audit
from storage.queries.cases import (
    add_case_event,
    fetch_case_by_number,
    fetch_case_reporter,
    fetch_categories,
    fetch_category_by_code,
)
from storage.queries.people import PersonView, fetch_unit_by_code, fetch_units

_DAY_LINE = re.compile(r"[0-9０-９]{1,4}[-/－／.][0-9０-９]{1,2}[-/－／.][0-9０-９]{1,2}")
"""A first line that is meant as a date (then it must be a good one)."""
MAX_ACTION_TEXT = 3500
"""A staff text that may be sent on to the reporter must fit in one Telegram message (4,096
characters) with the words around it."""


def clean_note(text: str | None) -> str | None:
    """A staff text or a reporter's answer as stored: no control characters, None if empty."""
    return clean_text(text or "") or None


def check_action(
    session: Session, *, number: str, action: str, actor: PersonView, lock: bool = False
) -> Case | Refused:
    """The case, if `actor` may take `action` on it now; else the refusal, audited (a UserError
    when there is no such case)."""
    case_row = fetch_case_by_number(session=session, number=number, lock=lock)
    if case_row is None:
        raise UserError("cases.not_found", number=number)
    reason = refusal_reason(case_row, action, actor)
    if reason is not None:
        return refuse(
            session=session, case_row=case_row, action=action, person=actor, reason=reason
        )
    return case_row


@dataclass(frozen=True)
class ActionStart:
    """An action button that needs more before it acts: the case number as stored, and the
    units or categories to choose from (empty when a text is asked for instead)."""

    number: str
    choices: Sequence[Unit | Category]
    off_chat: bool = False
    """The petitioner has no chat: a reply is recorded (how and when), not sent."""


def start_action(
    session: Session, *, number: str, action: str, actor: PersonView
) -> ActionStart | Refused:
    """An action button that needs a choice or a text: refused now (and audited) what `actor`
    may not do, before a keyboard or a prompt invites them to go on; else what there is to
    choose from."""
    checked = check_action(session=session, number=number, action=action, actor=actor)
    if isinstance(checked, Refused):
        return checked
    number = checked.number
    choices: Sequence[Unit | Category] = []
    if action == Action.ASSIGN:
        choices = fetch_units(session=session)
    elif action == Action.CATEGORY:
        choices = fetch_categories(session=session)
    return ActionStart(number=number, choices=choices, off_chat=is_off_chat(checked))


def is_off_chat(case_row: Case) -> bool:
    """Whether the case came by phone, letter, e-mail, walk-in or the web: no chat to answer."""
    return case_row.channel != Channel.TELEGRAM.value


def reply_given(note: str, *, received_on: date, today: date) -> tuple[date, str]:
    """A reply given off chat as typed: an optional first line with the day it was given
    (2026-12-08 or 115/12/08; else today), then the reply. The day lies between receipt and
    today."""
    first, _, rest = note.partition("\n")
    if not _DAY_LINE.fullmatch(first.strip()):
        return today, note
    day = parse_day(first)
    if day is None or not received_on <= day <= today:
        raise UserError("cases.reply_date_bad", value=first.strip())
    if not rest.strip():
        raise UserError("cases.text_needed")
    return day, rest.strip()


def needs_more(action: str) -> bool:
    """Whether a button for `action` asks for a choice or a text before it acts."""
    return action in TEXT_ACTIONS or action in CHOICE_ACTIONS


def check_info_request(session: Session, *, number: str, reporter: PersonView) -> str:
    """Refuse with a UserError an answer to a request for information that no longer waits
    (answered, or the case moved on) or is not this person's; returns the case number."""
    case_row = fetch_case_by_number(session=session, number=number)
    if case_row is None or case_row.id is None:
        raise UserError("report.info_not_waiting", number=number)
    _, person = fetch_case_reporter(session=session, case_id=case_row.id)
    if person is None or person.id != reporter.id or case_row.state != CaseState.NEEDS_INFO:
        raise UserError("report.info_not_waiting", number=case_row.number)
    return case_row.number


@dataclass(frozen=True)
class Outcome:
    number: str
    state: str
    due_on: date
    notices: list[CaseNews]


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
    session: Session,
    *,
    number: str,
    action: str,
    actor: PersonView | None,
    today: date,
    counting: str,
    text: str | None = None,
    unit_code: str | None = None,
    category_code: str | None = None,
    reply_how: str | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Apply one staff action (or the reporter's answer, `info`) to a case, write its event and
    the news of it to the outbox (who must be told), and return what was done. Refuses with a
    UserError what the person may not do."""
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
    if not allowed_in(action, before):
        raise UserError("cases.action_not_allowed", number=case_row.number)
    note = clean_note(text)
    if action in TEXT_ACTIONS and note is None:
        raise UserError("cases.text_needed")
    if note is not None and len(note) > MAX_ACTION_TEXT:
        raise UserError("cases.text_too_long", length=len(note), maximum=MAX_ACTION_TEXT)
    notices: list[CaseNews] = []
    after = before
    event_action = action
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
        notices = reporter_notice(session, case_row, "cases.notify.assigned")
        notices += unit_notices(session, case_row, unit.id)
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
        notices = reporter_notice(session, case_row, "cases.notify.ask", question=note)
    elif action == Action.INFO:
        after = CaseState.INVESTIGATING if case_row.unit_id else CaseState.RECEIVED
        notices = info_received_notices(session, case_row, note)
        _resume_clock(case_row, today, counting)
    elif action == Action.REPLY and is_off_chat(case_row):
        if reply_how not in {h.value for h in ReplyChannel}:
            raise UserError("cases.reply_how_needed", number=case_row.number)
        given, note = reply_given(note or "", received_on=case_row.received_on, today=today)
        after = CaseState.REPLIED
        _resume_clock(case_row, today, counting)
        case_row.replied_on = case_row.replied_on or given
        case_row.reply_text = note
        case_row.reply_channel = reply_how
        event_action = f"reply_{reply_how}"
    elif action == Action.REPLY:
        after = CaseState.REPLIED
        _resume_clock(case_row, today, counting)
        case_row.replied_on = case_row.replied_on or today
        case_row.reply_text = note
        notices = reporter_notice(session, case_row, "cases.notify.reply", reply=note)
    elif action == Action.EXTEND:
        days_text, _, reason = (note or "").partition(" ")
        if not days_text.isdigit() or not 1 <= int(days_text) <= 60 or not reason.strip():
            raise UserError("cases.extend_bad")
        days = int(days_text)
        case_row.extended_days += days
        case_row.due_on = add_days(case_row.due_on, days, counting)
        note = f"+{days}: {reason.strip()}"
        notices = reporter_notice(
            session, case_row, "cases.notify.extended", reason=reason.strip(), due=case_row.due_on
        )
    elif action == Action.TRANSFER:
        case_row.reason = note
        _finish(case_row, CaseState.TRANSFERRED, today, counting)
        after = CaseState.TRANSFERRED
        notices = reporter_notice(session, case_row, "cases.notify.transferred", note=note)
    elif action == Action.DUPLICATE:
        other = fetch_case_by_number(session=session, number=note or "")
        if other is None or other.id == case_row.id:
            raise UserError("cases.duplicate_bad", number=note or "")
        case_row.duplicate_of_id = other.id
        case_row.reason = other.number
        _finish(case_row, CaseState.DUPLICATE, today, counting)
        after = CaseState.DUPLICATE
        note = other.number
        notices = reporter_notice(session, case_row, "cases.notify.duplicate", other=other.number)
    elif action == Action.NOT_HANDLED:
        case_row.reason = note
        _finish(case_row, CaseState.NOT_HANDLED, today, counting)
        after = CaseState.NOT_HANDLED
        notices = reporter_notice(session, case_row, "cases.notify.not_handled", reason=note)
    elif action == Action.CLOSE:
        _finish(case_row, CaseState.CLOSED, today, counting)
        after = CaseState.CLOSED
        notices = reporter_notice(session, case_row, f"cases.notify.closed_{case_row.closure}")
    case_row.state = after.value
    session.add(case_row)
    at = now or utcnow()
    add_case_event(
        session=session,
        case_id=case_row.id,
        at=at,
        actor_id=actor.id if actor else None,
        action=event_action,
        from_state=before.value,
        to_state=after.value,
        note=note,
    )
    session.flush()
    tell(session=session, case_id=case_row.id, notices=notices, now=at)
    return Outcome(
        number=case_row.number, state=case_row.state, due_on=case_row.due_on, notices=notices
    )


@dataclass(frozen=True)
class Taken:
    """A staff action done: its outcome, and the case as the actor now sees it when asked for
    (None when not asked, or when the action moved the case out of the actor's sight)."""

    outcome: Outcome
    details: CaseDetails | None
    letter: ReplyLetter | Refused | None = None
    """A reply recorded as given by letter: the letter, when the actor may read the
    petitioner's name and address (the secretariat, an admin); else None."""


def take_action(
    session: Session,
    *,
    number: str,
    action: str,
    actor: PersonView,
    today: date,
    counting: str,
    text: str | None = None,
    unit_code: str | None = None,
    category_code: str | None = None,
    reply_how: str | None = None,
    show: bool = False,
    now: datetime | None = None,
) -> Taken | Refused:
    """A staff action as one transaction: `act`, its audit row (`case.<action>`, the text as
    detail) and, with `show`, the case read again for the actor (a view that shows the reporter
    writes its own `case.view` row, as /case does). An action the actor may not take is
    returned as `Refused`, its audit row written."""
    checked = check_action(session=session, number=number, action=action, actor=actor, lock=True)
    if isinstance(checked, Refused):
        return checked
    outcome = act(
        session=session,
        number=number,
        action=action,
        actor=actor,
        today=today,
        counting=counting,
        text=text,
        unit_code=unit_code,
        category_code=category_code,
        reply_how=reply_how,
        now=now,
    )
    record_audit(
        session=session,
        actor_telegram_id=actor.telegram_id,
        action=f"case.{action}",
        target=outcome.number,
        detail=without_controls(text) if text is not None else None,
    )
    letter = None
    if action == Action.REPLY and reply_how == ReplyChannel.LETTER.value and sees_identity(actor):
        letter = read_reply_letter(session=session, number=outcome.number, viewer=actor)
    details = None
    if show:
        case_row = fetch_case_by_number(session=session, number=outcome.number)
        if case_row is not None and may_view(case_row, actor):
            details = view_case_row(session=session, case_row=case_row, viewer=actor)
    return Taken(outcome=outcome, details=details, letter=letter)
