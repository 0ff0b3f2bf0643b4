"""bot/cases/actions.py: who may take which action on a case in which state, who sees a case
and its reporter, and a refusal kept in the audit log."""

from __future__ import annotations

from datetime import date

from sqlmodel import col, select

from bot.cases.actions import (
    SECRETARIAT_ONLY,
    Action,
    actions_for,
    allowed_in,
    may_view,
    refusal_reason,
    refuse,
    sees_every_unit,
    sees_identity,
)
from storage.db import Database
from storage.models import AuditEntry, Case, Role
from storage.models.cases import FINAL_STATES, CaseState
from storage.queries.cases import fetch_case_by_number
from tests.factories import do, file_on, person

SECRETARY = 5101
ADMIN = 5102
INSPECTOR = 5103
OTHER_INSPECTOR = 5104
MONITOR = 5105
DAY = date(2026, 4, 1)

EVERY_ACTION_WHEN_ASSIGNED = [
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
]


def assigned_case(db: Database, unit: str = "sec1") -> Case:
    """A case filed and assigned to `unit`, as stored."""
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    filed = file_on(db, DAY)
    do(db, filed.number, Action.ASSIGN, secretary, DAY, unit=unit)
    case_row = db.call(fetch_case_by_number, number=filed.number)
    assert case_row is not None and case_row.state == CaseState.ASSIGNED
    return case_row


def test_each_action_is_allowed_only_from_its_states() -> None:
    assert [s for s in CaseState if allowed_in(Action.CLOSE, s)] == [CaseState.REPLIED]
    assert [s for s in CaseState if allowed_in(Action.INVESTIGATE, s)] == [CaseState.ASSIGNED]
    assert [s for s in CaseState if allowed_in(Action.INFO, s)] == [CaseState.NEEDS_INFO]
    assert not allowed_in(Action.ASK_INFO, CaseState.NEEDS_INFO)
    assert not allowed_in(Action.EXTEND, CaseState.REPLIED)
    assert allowed_in(Action.EXTEND, CaseState.NEEDS_INFO)
    assert not allowed_in(Action.ASSIGN, CaseState.REPLIED)
    assert allowed_in(Action.REPLY, CaseState.REPLIED)  # a reply may be corrected
    assert not allowed_in(Action.REPLY, CaseState.RECEIVED)  # a case is assigned first
    assert not allowed_in("delete", CaseState.RECEIVED)
    for action in (Action.NOTE, Action.CATEGORY, Action.TRANSFER, Action.NOT_HANDLED):
        assert {s for s in CaseState if allowed_in(action, s)} == set(CaseState) - FINAL_STATES


def test_a_finished_case_allows_no_action_at_all() -> None:
    every = [*EVERY_ACTION_WHEN_ASSIGNED, Action.INFO, Action.CLOSE]
    for state in FINAL_STATES:
        assert [a for a in every if allowed_in(a, state)] == [], state


def test_the_secretariat_and_admins_get_every_action_the_state_allows_in_button_order(
    db: Database,
) -> None:
    case_row = assigned_case(db)
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    admin = person(db, ADMIN, Role.ADMIN)
    assert actions_for(case_row, secretary) == EVERY_ACTION_WHEN_ASSIGNED
    assert actions_for(case_row, admin) == EVERY_ACTION_WHEN_ASSIGNED
    case_row.state = CaseState.REPLIED
    assert actions_for(case_row, secretary) == [
        Action.CATEGORY,
        Action.NOTE,
        Action.REPLY,
        Action.TRANSFER,
        Action.DUPLICATE,
        Action.NOT_HANDLED,
        Action.CLOSE,
    ]
    case_row.state = CaseState.CLOSED
    assert actions_for(case_row, secretary) == []


def test_an_inspector_acts_on_their_units_cases_without_the_secretariats_actions(
    db: Database,
) -> None:
    case_row = assigned_case(db, unit="sec1")
    inspector = person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    elsewhere = person(db, OTHER_INSPECTOR, Role.INSPECTOR, unit="sec2")
    monitor = person(db, MONITOR, Role.MONITOR)
    assert actions_for(case_row, inspector) == [
        a for a in EVERY_ACTION_WHEN_ASSIGNED if a not in SECRETARIAT_ONLY
    ]
    assert Action.ASSIGN not in actions_for(case_row, inspector)
    assert actions_for(case_row, elsewhere) == []
    assert actions_for(case_row, monitor) == []
    case_row.unit_id = None  # not assigned yet: no unit's inspector acts on it
    assert actions_for(case_row, inspector) == []


def test_who_sees_a_case_its_reporter_and_every_units_list(db: Database) -> None:
    case_row = assigned_case(db, unit="sec1")
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    admin = person(db, ADMIN, Role.ADMIN)
    inspector = person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    elsewhere = person(db, OTHER_INSPECTOR, Role.INSPECTOR, unit="sec2")
    monitor = person(db, MONITOR, Role.MONITOR)
    assert [may_view(case_row, p) for p in (secretary, admin, inspector, elsewhere, monitor)] == [
        True,
        True,
        True,
        False,
        False,
    ]
    assert [sees_identity(p) for p in (secretary, admin, inspector, monitor)] == [
        True,
        True,
        False,
        False,
    ]
    assert [sees_every_unit(p) for p in (secretary, admin, inspector)] == [True, True, False]
    case_row.unit_id = None
    assert not may_view(case_row, inspector) and may_view(case_row, secretary)


def test_the_reason_for_a_refusal_says_unseen_role_or_state(db: Database) -> None:
    case_row = assigned_case(db, unit="sec1")
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    inspector = person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    elsewhere = person(db, OTHER_INSPECTOR, Role.INSPECTOR, unit="sec2")
    assert refusal_reason(case_row, Action.NOTE, inspector) is None
    assert refusal_reason(case_row, Action.ASSIGN, secretary) is None
    assert refusal_reason(case_row, Action.NOTE, elsewhere) == "not_visible"
    assert refusal_reason(case_row, Action.ASSIGN, inspector) == "role"
    assert refusal_reason(case_row, Action.CLOSE, inspector) == "state:assigned"
    assert refusal_reason(case_row, Action.CLOSE, secretary) == "state:assigned"


def test_a_refusal_is_audited_without_personal_data_and_an_unseen_case_does_not_exist(
    db: Database,
) -> None:
    case_row = assigned_case(db, unit="sec1")
    inspector = person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    elsewhere = person(db, OTHER_INSPECTOR, Role.INSPECTOR, unit="sec2")
    unseen = db.call(
        refuse, case_row=case_row, action=Action.NOTE, person=elsewhere, reason="not_visible"
    )
    assert unseen.error.key == "cases.not_found"
    assert unseen.error.values == {"number": case_row.number}
    role = db.call(
        refuse, case_row=case_row, action=Action.ASSIGN, person=inspector, reason="role"
    )
    assert role.error.key == "cases.action_not_allowed"
    assert role.error.values == {"number": case_row.number}
    rows = db.call(
        lambda session: [
            (a.actor_telegram_id, a.action, a.target, a.allowed, a.detail)
            for a in session.exec(
                select(AuditEntry)
                .where(col(AuditEntry.allowed).is_(False))
                .order_by(col(AuditEntry.id))
            )
        ]
    )
    assert rows == [
        (OTHER_INSPECTOR, "case.note", case_row.number, False, "not_visible"),
        (INSPECTOR, "case.assign", case_row.number, False, "role"),
    ]
