"""Corrective actions: opened by a failing result, moved forward one checked step at a time to
a verified close, each step in the action's history."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlmodel import select

from courtesy import actions, scoring
from kernel.errors import UserError
from storage.db import Database
from storage.models import ActionStatus, CourtesyResult, CourtesyTest
from storage.queries.courtesy import fetch_action_events, fetch_actions
from tests.courtesy.conftest import PASS_MARK, ScoredYear
from tests.courtesy.plans import MADE, failed_action, linked_call
from tests.factories import FULL

PLAN = actions.ActionChange(
    cause="rushed", plan="briefing", owner="Chief Lin", due_on=date(2026, 3, 31)
)


def test_failing_calls_open_actions_that_close_only_after_a_plan_and_a_passed_retest(
    scored_year: ScoredYear,
) -> None:
    db = scored_year.db
    with db.transaction() as session:
        opened = fetch_actions(session=session)
        failing = session.exec(
            select(CourtesyResult).where(CourtesyResult.passed == False)  # noqa: E712
        ).all()
        assert len(opened) == len(failing) > 1
        critical = [a for a in opened if a.critical]
        assert len(critical) == 1
        assert "接聽速度" in critical[0].nonconformity
        first = opened[0]
        first_id, retest_id = first.id, first.retest_test_id
        retest = session.get(CourtesyTest, retest_id)
        assert retest is not None and retest.retest_of_action_id == first_id
        retest_code = retest.code
        assert retest_code.startswith("2026-2-R")  # the next round after round 1

    # Closing before anything is planned, then without a retest: refused with the reason.
    with pytest.raises(UserError) as refused:
        db.call(
            actions.update_action,
            action_id=first_id,
            change=actions.ActionChange(),
            to=ActionStatus.CLOSED,
            actor="test",
        )
    assert refused.value.key == "courtesy.actions.needs_plan"
    plan = actions.ActionChange(
        correction="當場提醒",
        cause="新進人員未受訓",
        plan="電話禮貌訓練",
        owner="課長",
        due_on=date(2026, 6, 30),
        done_on=date(2026, 6, 1),
        evidence="簽到表",
    )
    with pytest.raises(UserError) as refused:
        db.call(
            actions.update_action,
            action_id=first_id,
            change=plan,
            to=ActionStatus.CLOSED,
            actor="test",
        )
    assert refused.value.key == "courtesy.actions.needs_verification"
    moved = db.call(
        actions.update_action,
        action_id=first_id,
        change=plan,
        to=ActionStatus.IMPLEMENTED,
        actor="test",
    )
    assert moved.status == "implemented"

    # The retest passes, and then the action closes.
    db.call(
        scoring.record_result,
        now=MADE,
        code=retest_code,
        points=dict(FULL),
        rings=1,
        pass_mark=PASS_MARK,
        recorded_by="test",
    )
    closed = db.call(
        actions.update_action,
        action_id=first_id,
        change=actions.ActionChange(),
        to=ActionStatus.CLOSED,
        actor="test",
    )
    assert closed.status == "closed" and closed.closed_at is not None
    with db.transaction() as session:
        history = [e.to_status for e in fetch_action_events(session=session, action_id=first_id)]
    assert history == ["open", "planned", "implemented", "verified", "closed"]


def test_a_supervisors_written_verification_closes_without_a_retest(db: Database) -> None:
    action = failed_action(db, linked_call(db)[0])
    with pytest.raises(UserError) as undone:
        db.call(
            actions.update_action,
            action_id=action,
            change=PLAN,
            to=ActionStatus.IMPLEMENTED,
            actor="t",
        )
    assert undone.value.key == "courtesy.actions.needs_done"
    # The refused step saved nothing, not even the plan it came with.
    assert db.call(actions.fetch_action_details, action_id=action).action.cause is None
    half = replace(PLAN, done_on=date(2026, 3, 1), verification="checked by phone")
    with pytest.raises(UserError) as unsigned:
        db.call(
            actions.update_action,
            action_id=action,
            change=half,
            to=ActionStatus.VERIFIED,
            actor="t",
        )
    assert unsigned.value.key == "courtesy.actions.needs_verification"
    closed = db.call(
        actions.update_action,
        action_id=action,
        change=replace(half, verified_by="Chief Lin"),
        to=ActionStatus.CLOSED,
        actor="t",
    )
    assert closed.status == "closed" and closed.verification == "checked by phone"
    with pytest.raises(UserError) as reopened:
        db.call(
            actions.update_action,
            action_id=action,
            change=actions.ActionChange(),
            to=ActionStatus.CLOSED,
            actor="t",
        )
    assert reopened.value.key == "courtesy.actions.already_closed"


def test_a_step_back_an_unknown_action_and_a_long_name_are_refused_and_change_nothing(
    db: Database,
) -> None:
    action = failed_action(db, linked_call(db)[0])
    db.call(
        actions.update_action, action_id=action, change=PLAN, to=ActionStatus.PLANNED, actor="t"
    )
    refusals = [
        (dict(action_id=action, to=ActionStatus.OPEN), "courtesy.actions.backwards"),
        (dict(action_id=action, to=ActionStatus.PLANNED), "courtesy.actions.backwards"),
        (dict(action_id=action + 99, to=None), "courtesy.actions.unknown"),
    ]
    for arguments, key in refusals:
        with pytest.raises(UserError) as refused:
            db.call(
                actions.update_action,
                change=actions.ActionChange(owner="Someone Else"),
                actor="t",
                **arguments,  # type: ignore[arg-type]
            )
        assert refused.value.key == key
    with pytest.raises(UserError) as long:
        db.call(
            actions.update_action,
            action_id=action,
            change=actions.ActionChange(owner="x" * 65),
            actor="t",
        )
    assert (long.value.key, long.value.values) == (
        "courtesy.actions.too_long",
        {"field": "--owner", "max": 64},
    )
    details = db.call(actions.fetch_action_details, action_id=action)
    assert (details.action.status, details.action.owner) == ("planned", "Chief Lin")


def test_a_note_alone_is_a_history_line_that_keeps_the_state(db: Database) -> None:
    action = failed_action(db, linked_call(db)[0])
    db.call(
        actions.update_action,
        action_id=action,
        change=actions.ActionChange(note="phoned the unit"),
        actor="t",
    )
    db.call(actions.update_action, action_id=action, change=actions.ActionChange(), actor="t")
    with db.transaction() as session:
        events = fetch_action_events(session=session, action_id=action)
    assert [(e.from_status, e.to_status) for e in events] == [(None, "open"), ("open", "open")]
    assert events[0].note is not None and events[0].note.startswith("總分 60（丙）")
    assert events[1].note == "phoned the unit"


def test_the_details_name_the_call_the_points_lost_and_the_retest(db: Database) -> None:
    code, _, _ = linked_call(db)
    action = failed_action(db, code)
    details = db.call(actions.fetch_action_details, action_id=action)
    assert details.test_code == code and details.retest_code is not None
    assert (details.retest_total, details.retest_passed) == (None, None)
    assert details.what is not None
    assert (details.what.total, details.what.critical) == (60, ())
    assert {item.code: lost for item, lost in details.what.lost} == {
        "tone": 15,
        "accuracy": 10,
        "handling": 10,
        "closing": 5,
    }
    db.call(
        scoring.record_result,
        now=MADE,
        code=details.retest_code,
        points={**FULL, "speed": 25},
        pass_mark=80,
        recorded_by="t",
    )
    again = db.call(actions.fetch_action_details, action_id=action)
    assert (again.retest_total, again.retest_passed) == (100, True)
    with pytest.raises(UserError) as missing:
        db.call(actions.fetch_action_details, action_id=action + 99)
    assert missing.value.key == "courtesy.actions.unknown"


def test_the_states_follow_one_another_and_closed_is_the_last() -> None:
    assert [actions.next_status(s.value) for s in ActionStatus] == [
        ActionStatus.PLANNED,
        ActionStatus.IMPLEMENTED,
        ActionStatus.VERIFIED,
        ActionStatus.CLOSED,
        None,
    ]
