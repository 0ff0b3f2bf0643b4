"""Corrective actions filled in and moved on from chat: one field at a time, one step forward
at a time, each change written with its audit row in one transaction, returning the refreshed
action for its card.

Which fields the card offers and how a typed value is read are here; waiting for the text is the
chat's (`bot/edge/waiting.py`). A closed action's record stands, so its buttons are refused as
out of date, as is a next-step button whose card shows another status than the action has now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from courtesy.actions import (
    FIELDS,
    LIMITS,
    ActionChange,
    ActionDetails,
    fetch_action_details,
    next_status,
    update_action,
)
from kernel.errors import UserError
from storage.models import ActionStatus, CourtesyAction
from storage.queries.audit import record_audit
from storage.queries.courtesy import fetch_action

ACTION_FIELDS = FIELDS
"""The fields the chat's card has a button for, in the card's order."""
DATE_FIELDS = ("due_on", "done_on")
FIELD_LIMIT = 2000
"""Most characters a text field takes where `actions.LIMITS` names none."""


def parse_field_value(field: str, text: str) -> str | date:
    """The typed value of `field`: a date as YYYY-MM-DD, else a text within the field's
    limit. A UserError names the field by its code (the chat shows its label)."""
    value = text.strip()
    if field in DATE_FIELDS:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise UserError("courtesy.action.bad_date", value=value[:40]) from None
    limit = LIMITS.get(field, FIELD_LIMIT)
    if not value or len(value) > limit:
        raise UserError("courtesy.action.too_long", field=field, max=limit)
    return value


def _existing_action(session: Session, action_id: int) -> CourtesyAction:
    action = fetch_action(session=session, action_id=action_id)
    if action is None:
        raise UserError("courtesy.actions.unknown", action=action_id)
    return action


def check_editable(session: Session, *, action_id: int) -> None:
    """A field button: the action exists and is not closed."""
    if next_status(_existing_action(session, action_id).status) is None:
        raise UserError("courtesy.action.stale", id=action_id)


def edit_action_field(
    session: Session, *, action_id: int, field: str, value: str | date, by: int | None
) -> ActionDetails:
    """Store one field's value (the action's rules apply), audited as courtesy.action.edit;
    returns the action for its card."""
    if field not in ACTION_FIELDS:
        raise ValueError(f"not a field of the action's card: {field!r}")
    values: dict[str, Any] = {field: value}  # a date for DATE_FIELDS, else text
    update_action(
        session=session,
        action_id=action_id,
        change=ActionChange(**values),
        actor=f"telegram:{by if by is not None else ''}",
    )
    record_audit(
        session=session,
        actor_telegram_id=by,
        action="courtesy.action.edit",
        target=str(action_id),
        detail=field,
    )
    return fetch_action_details(session=session, action_id=action_id)


@dataclass(frozen=True)
class Advanced:
    """An action moved one step: its new status and the action for its card."""

    status: ActionStatus
    details: ActionDetails


def advance_action(session: Session, *, action_id: int, shown_status: str, by: int) -> Advanced:
    """The next-step button of a card showing `shown_status`: move the action one step if its
    rules allow, audited as courtesy.action.status."""
    action = _existing_action(session, action_id)
    following = next_status(action.status)
    if action.status != shown_status or following is None:
        raise UserError("courtesy.action.stale", id=action_id)
    update_action(
        session=session,
        action_id=action_id,
        change=ActionChange(),
        to=following,
        actor=f"telegram:{by}",
    )
    record_audit(
        session=session,
        actor_telegram_id=by,
        action="courtesy.action.status",
        target=str(action_id),
        detail=following.value,
    )
    return Advanced(following, fetch_action_details(session=session, action_id=action_id))
