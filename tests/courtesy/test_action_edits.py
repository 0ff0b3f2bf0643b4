"""courtesy/action_edits.py: a corrective action edited from its card's buttons (each step
written with its audit row in one transaction; a refused or stale step changes nothing) and a
typed field value read as a date or a text within its limit."""

from __future__ import annotations

from datetime import date

import pytest

from courtesy import action_edits
from courtesy.action_edits import parse_field_value
from courtesy.actions import ActionChange, update_action
from kernel.errors import UserError
from storage.db import Database
from storage.models import ActionStatus
from storage.queries.courtesy import fetch_action
from tests.courtesy.plans import SECRETARY
from tests.courtesy.plans import audit_rows as _audit
from tests.courtesy.plans import failed_action as _failed_action
from tests.courtesy.plans import linked_call as _prepare


def test_an_action_step_is_audited_and_a_refused_or_stale_one_changes_nothing(
    db: Database,
) -> None:
    code, _, _ = _prepare(db)
    action = _failed_action(db, code)
    with pytest.raises(UserError) as lacking:
        db.call(action_edits.advance_action, action_id=action, shown_status="open", by=SECRETARY)
    assert lacking.value.key == "courtesy.actions.needs_plan"
    assert _audit(db) == []
    for field, value in (
        ("cause", "rushed"),
        ("plan", "briefing"),
        ("owner", "Chief Lin"),
        ("due_on", date(2026, 3, 31)),
    ):
        details = db.call(
            action_edits.edit_action_field,
            action_id=action,
            field=field,
            value=value,
            by=SECRETARY,
        )
    assert details.action.due_on == date(2026, 3, 31) and details.action.status == "open"
    advanced = db.call(
        action_edits.advance_action, action_id=action, shown_status="open", by=SECRETARY
    )
    assert advanced.status is ActionStatus.PLANNED
    assert advanced.details.action.status == "planned"
    with pytest.raises(UserError) as stale:
        db.call(action_edits.advance_action, action_id=action, shown_status="open", by=SECRETARY)
    assert stale.value.key == "courtesy.action.stale"
    assert _audit(db) == [
        ("courtesy.action.edit", str(action), "cause", SECRETARY),
        ("courtesy.action.edit", str(action), "plan", SECRETARY),
        ("courtesy.action.edit", str(action), "owner", SECRETARY),
        ("courtesy.action.edit", str(action), "due_on", SECRETARY),
        ("courtesy.action.status", str(action), "planned", SECRETARY),
    ]


def test_a_closed_or_missing_action_cannot_be_edited_from_its_buttons(db: Database) -> None:
    code, _, _ = _prepare(db)
    action = _failed_action(db, code)
    db.call(action_edits.check_editable, action_id=action)
    db.call(
        update_action,
        action_id=action,
        change=ActionChange(
            cause="c",
            plan="p",
            owner="o",
            due_on=date(2026, 3, 1),
            done_on=date(2026, 3, 1),
            verification="checked",
            verified_by="Chief",
        ),
        to=ActionStatus.CLOSED,
        actor="test",
    )
    with pytest.raises(UserError) as closed:
        db.call(action_edits.check_editable, action_id=action)
    assert closed.value.key == "courtesy.action.stale"
    with pytest.raises(UserError) as missing:
        db.call(action_edits.check_editable, action_id=action + 99)
    assert missing.value.key == "courtesy.actions.unknown"
    with db.transaction() as session:
        row = fetch_action(session=session, action_id=action)
    assert row is not None and row.status == "closed"


def test_a_typed_field_value_is_a_date_or_a_text_within_its_limit() -> None:
    assert parse_field_value("due_on", " 2026-03-31 ") == date(2026, 3, 31)
    assert parse_field_value("owner", "  Chief Lin ") == "Chief Lin"
    refusals = {
        ("due_on", "next week"): ("courtesy.action.bad_date", {"value": "next week"}),
        ("owner", "x" * 65): ("courtesy.action.too_long", {"field": "owner", "max": 64}),
        ("cause", "   "): ("courtesy.action.too_long", {"field": "cause", "max": 2000}),
    }
    for (field, text), (key, values) in refusals.items():
        with pytest.raises(UserError) as refused:
            parse_field_value(field, text)
        assert (refused.value.key, refused.value.values) == (key, values)
