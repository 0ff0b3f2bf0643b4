"""The chat's courtesy use cases: each writes its change and its audit row in one transaction
(a refusal that is audited returns its row instead of raising it away), and the conversation
state kept between steps reads the shape stored before a restart."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from courtesy import action_edits, directory, reports, rubric_versions, schedule, scoring
from courtesy.action_edits import parse_field_value
from courtesy.actions import ActionChange, update_action
from courtesy.rubric import BUSINESS, DEFAULT_TEMPLATES
from courtesy.scoring_state import ScoringState
from kernel.errors import UserError
from storage.db import Database
from storage.models import ActionStatus
from storage.queries.audit import fetch_audit
from storage.queries.courtesy import fetch_action, fetch_test_views
from storage.queries.people import fetch_person_view
from tests.factories import directory_csv

MADE = datetime(2027, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Taipei"))
"""When tests score calls: after every 2026 call and retest was made, whatever the clock."""

INSPECTOR = 6001
OTHER = 6002
SECRETARY = 6003
FAILING = {
    "speed": 25,
    "unit_name": 8,
    "greeting": 6,
    "surname": 6,
    "tone": 5,
    "accuracy": 5,
    "handling": 0,
    "closing": 5,
}


def _prepare(db: Database) -> tuple[str, int, int]:
    """A directory and a 2026 plan; returns a business call, its inspector's person id and the
    person id of an inspector it is not assigned to."""
    db.call(directory.import_staff, text=directory_csv())
    db.call(schedule.plan_year, year=2026, target=80, per_unit=2, seed=11)
    with db.transaction() as session:
        views = fetch_test_views(session=session, year=2026)
    first = next(v for v in views if v.template == BUSINESS)
    other = next(v.inspector_extension for v in views if v.inspector_id != first.inspector_id)
    db.call(directory.link_inspector, extension=first.inspector_extension, telegram_id=INSPECTOR)
    db.call(directory.link_inspector, extension=other, telegram_id=OTHER)
    with db.transaction() as session:
        mine = fetch_person_view(session=session, telegram_id=INSPECTOR)
        theirs = fetch_person_view(session=session, telegram_id=OTHER)
    assert mine is not None and theirs is not None
    return first.code, mine.id, theirs.id


def _audit(db: Database) -> list[tuple[str, str | None, str | None, int | None]]:
    with db.transaction() as session:
        rows = fetch_audit(session=session)
    return [(r.action, r.target, r.detail, r.actor_telegram_id) for r in reversed(rows)]


def _failed_action(db: Database, code: str) -> int:
    recorded = db.call(
        scoring.record_result,
        now=MADE,
        code=code,
        points=FAILING,
        pass_mark=80,
        recorded_by="test",
        today=date(2026, 2, 2),
    )
    assert recorded.action_id is not None
    return recorded.action_id


def test_a_confirmed_scoring_writes_the_result_and_its_audit_row_together(db: Database) -> None:
    code, person, _ = _prepare(db)
    recorded = db.call(
        scoring.record_scored_call,
        now=MADE,
        code=code,
        points=FAILING,
        note="rushed",
        pass_mark=80,
        person_id=person,
        by=INSPECTOR,
    )
    assert recorded.action_id is not None and recorded.score.total == 60
    assert _audit(db) == [("courtesy.score", code, "60", INSPECTOR)]
    with pytest.raises(UserError) as again:
        db.call(
            scoring.record_scored_call,
            now=MADE,
            code=code,
            points=FAILING,
            note=None,
            pass_mark=80,
            person_id=person,
            by=INSPECTOR,
        )
    assert again.value.key == "courtesy.errors.already_scored"
    assert len(_audit(db)) == 1


def test_a_refused_scoring_start_keeps_its_audit_row_and_an_unlinked_person_writes_none(
    db: Database,
) -> None:
    code, person, other = _prepare(db)
    refused = db.call(scoring.begin_scoring, code=code, person_id=other, by=OTHER, now=MADE)
    assert refused == scoring.Refusal("courtesy.errors.not_yours", {"test": code})
    assert _audit(db) == [("courtesy.score.refused", code, "courtesy.errors.not_yours", OTHER)]
    started = db.call(scoring.begin_scoring, code=code, person_id=person, by=INSPECTOR, now=MADE)
    assert isinstance(started, scoring.ScoringStart) and started.view.code == code
    with pytest.raises(UserError) as unlinked:
        db.call(scoring.begin_scoring, code=code, person_id=person + 1000, by=SECRETARY, now=MADE)
    assert unlinked.value.key == "courtesy.tests.not_linked"
    assert len(_audit(db)) == 1


def test_an_inspectors_open_calls_or_none_when_not_linked(db: Database) -> None:
    code, person, _ = _prepare(db)
    calls = db.call(scoring.open_calls_of, person_id=person)
    assert calls is not None and code in [v.code for v in calls]
    assert all(v.status == "planned" for v in calls)
    assert db.call(scoring.open_calls_of, person_id=person + 1000) is None


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


def test_the_chats_round_report_is_audited_and_defaults_to_the_latest_started_round(
    db: Database,
) -> None:
    _prepare(db)
    assert (
        db.call(
            reports.round_report_for,
            wanted=None,
            language="en",
            pass_mark=80,
            today=date(2025, 12, 31),
            by=SECRETARY,
        )
        is None
    )
    built = db.call(
        reports.round_report_for,
        wanted=None,
        language="en",
        pass_mark=80,
        today=date(2026, 6, 1),
        by=SECRETARY,
    )
    assert built is not None and built.name == "courtesy-2026-2"
    with pytest.raises(UserError):
        db.call(
            reports.round_report_for,
            wanted="2026-9",
            language="en",
            pass_mark=80,
            today=date(2026, 6, 1),
            by=SECRETARY,
        )
    assert _audit(db) == [("courtesy.report", "2026-2", None, SECRETARY)]


def test_a_stored_scoring_state_of_the_shape_kept_before_is_read_and_a_damaged_one_has_ended() -> (
    None
):
    items = [i.to_json() for i in DEFAULT_TEMPLATES[BUSINESS][2]]
    stored = {
        "code": "2026-1-001",
        "rubric_id": 1,
        "items": items,
        "index": 1,
        "points": {"speed": 25},
        "note": None,
    }
    state = ScoringState.from_dict(stored)
    assert state is not None and state.to_dict() == stored
    assert state.current is not None and state.current.code == "unit_name"
    assert state.accepts("2026-1-001", 1, 8)
    assert not state.accepts("2026-1-001", 0, 25)  # an earlier item's button
    assert not state.accepts("2026-1-002", 1, 8)  # another call's button
    assert not state.accepts("2026-1-001", 1, 7)  # points the item does not allow
    for damaged in (None, {}, [], {"code": "x"}, dict(stored, index=99), dict(stored, items=[])):
        assert ScoringState.from_dict(damaged) is None


def test_scoring_every_item_gives_the_total_and_the_verdict() -> None:
    items = DEFAULT_TEMPLATES[BUSINESS][2]
    state = ScoringState(code="2026-1-001", rubric_id=1, items=items)
    for item in items:
        assert state.take(FAILING[item.code]) is item
    assert state.current is None and not state.accepts("2026-1-001", len(items), 0)
    outcome = state.outcome(80)
    assert outcome.total == 60 and not outcome.passed


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


def test_a_rubric_version_is_added_from_json_and_malformed_json_is_refused(
    db: Database,
) -> None:
    items = [i.to_json() for i in DEFAULT_TEMPLATES[BUSINESS][2]]
    before = db.call(rubric_versions.rubric_lines)
    version = db.call(
        rubric_versions.add_rubric_version,
        template=BUSINESS,
        text=json.dumps(items),
        name_en="Business unit, 2027",
    )
    after = db.call(rubric_versions.rubric_lines)
    assert version >= 2 and len(after) == len(before) + 1
    added = next(line for line in after if line.startswith(f"{BUSINESS} v{version} "))
    assert "/ Business unit, 2027)" in added and "speed:25" in added
    with pytest.raises(UserError) as bad:
        db.call(rubric_versions.add_rubric_version, template=BUSINESS, text="[{")
    assert bad.value.key == "courtesy.errors.rubric_shape"


def test_a_call_is_scored_only_from_its_scheduled_date_and_time_unless_recorded_early(
    db: Database,
) -> None:
    code, person, _ = _prepare(db)
    with db.transaction() as session:
        view = next(v for v in fetch_test_views(session=session) if v.code == code)
    called = datetime.combine(view.day, view.at, tzinfo=MADE.tzinfo)
    before = called - timedelta(minutes=1)
    refused = db.call(scoring.begin_scoring, code=code, person_id=person, by=INSPECTOR, now=before)
    assert refused == scoring.Refusal(
        "courtesy.errors.too_early",
        {"test": code, "day": view.day, "time": view.at.strftime("%H:%M")},
    )
    with pytest.raises(UserError) as early:
        db.call(
            scoring.record_scored_call,
            code=code,
            points=FAILING,
            note=None,
            pass_mark=80,
            person_id=person,
            by=INSPECTOR,
            now=before,
        )
    assert early.value.key == "courtesy.errors.too_early"
    started = db.call(scoring.begin_scoring, code=code, person_id=person, by=INSPECTOR, now=called)
    assert isinstance(started, scoring.ScoringStart)
    recorded = db.call(
        scoring.record_result,
        code=code,
        points=FAILING,
        pass_mark=80,
        recorded_by="cli",
        now=before,
        early=True,
    )
    assert recorded.code == code
    assert _audit(db) == [
        ("courtesy.score.refused", code, "courtesy.errors.too_early", INSPECTOR),
        ("courtesy.score.early", code, "cli", None),
    ]
