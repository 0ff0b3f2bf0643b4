"""What staff can do to a case, and who may do which, in which state.

What each action then changes is in `lifecycle`; this module only answers "may this person take
this action on this case now?" and "may they see it at all?", and records a refusal.

A refusal is kept in the audit log (`allowed=False`, the action as `case.<action>`, the case
number as target, only a reason code as detail: never a name or phone) by the same use case
that refuses. That use case returns the refusal as `Refused` instead of raising it: raising
would roll the audit row back with the rest of the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from kernel.errors import UserError
from storage.models import Case, Role
from storage.models.cases import FINAL_STATES, CaseState
from storage.queries.audit import record_audit
from storage.queries.people import PersonView

SECRETARIAT_ROLES = frozenset({Role.SECRETARIAT, Role.ADMIN})


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

CHOICE_ACTIONS = (Action.ASSIGN, Action.CATEGORY)
"""Actions that need a choice from a list first (a unit, a category)."""

TEXT_INPUT_ERRORS = frozenset(
    {
        "cases.text_needed",
        "cases.text_too_long",
        "cases.extend_bad",
        "cases.duplicate_bad",
        "cases.reply_date_bad",
    }
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

_BUTTON_ORDER = (
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
)


def allowed_in(action: str, state: CaseState) -> bool:
    """Whether `action` may be taken on a case in `state` at all (by anyone)."""
    return state in _ALLOWED_FROM.get(action, frozenset())


def actions_for(case_row: Case, person: PersonView) -> list[str]:
    """The actions this person may take on this case now, in button order."""
    state = CaseState(case_row.state)
    secretariat = person.has_any(SECRETARIAT_ROLES)
    own_unit = case_row.unit_id is not None and case_row.unit_id in person.unit_ids
    if not secretariat and not (own_unit and Role.INSPECTOR in person.roles):
        return []
    return [
        a
        for a in _BUTTON_ORDER
        if allowed_in(a, state) and (secretariat or a not in SECRETARIAT_ONLY)
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


def sees_identity(person: PersonView) -> bool:
    """Only the secretariat and admins see who reported."""
    return person.has_any(SECRETARIAT_ROLES)


def sees_every_unit(person: PersonView) -> bool:
    """The secretariat and admins list every unit's cases; inspectors only their units'."""
    return person.has_any(SECRETARIAT_ROLES)


VERBS = frozenset(_BUTTON_ORDER)
"""Every action a staff button may carry."""


def refusal_reason(case_row: Case, action: str, person: PersonView) -> str | None:
    """Why `person` may not take `action` on the case now, as a code for the audit log
    (`not_visible`, `role`, `state:<state>`); None when they may."""
    if not may_view(case_row, person):
        return "not_visible"
    if action in actions_for(case_row, person):
        return None
    if allowed_in(action, CaseState(case_row.state)):
        return "role"
    return f"state:{case_row.state}"


@dataclass(frozen=True)
class Refused:
    """A refusal shown to the person, already in this transaction's audit log."""

    error: UserError


def refuse(
    session: Session, *, case_row: Case, action: str, person: PersonView, reason: str
) -> Refused:
    """Audit a refused `case.<action>` on this case (no personal data) and say what the person
    is told: a case they may not see does not exist for them."""
    record_audit(
        session=session,
        actor_telegram_id=person.telegram_id,
        action=f"case.{action}",
        target=case_row.number,
        allowed=False,
        detail=reason,
    )
    if reason == "not_visible":
        return Refused(UserError("cases.not_found", number=case_row.number))
    return Refused(UserError("cases.action_not_allowed", number=case_row.number))
