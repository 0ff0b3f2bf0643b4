"""Scoring calls: a result on the call's rubric version, refused for bad points, another
inspector's call, a call not yet made or already scored; a failing result opens its action and
plans the retest; the chat's scoring and its audit rows; a results file whole or not at all."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from courtesy import scoring
from courtesy.directory import RowErrors
from courtesy.rubric import BUSINESS, DEFAULT_TEMPLATES
from kernel.errors import UserError
from storage.db import Database
from storage.models import CourtesyAction, CourtesyResult, CourtesyRubric, CourtesyTest
from storage.queries import courtesy as courtesy_queries
from storage.queries.courtesy import fetch_test_views
from tests.courtesy.conftest import PASS_MARK
from tests.courtesy.plans import (
    FAILING,
    INSPECTOR,
    MADE,
    OTHER,
    SECRETARY,
    audit_rows,
    linked_call,
)
from tests.factories import FULL, run_courtesy


def business_calls(db: Database) -> list[courtesy_queries.TestView]:
    with db.transaction() as session:
        return [v for v in fetch_test_views(session=session, year=2026) if v.template == BUSINESS]


def test_a_confirmed_scoring_writes_the_result_and_its_audit_row_together(db: Database) -> None:
    code, person, _ = linked_call(db)
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
    assert audit_rows(db) == [("courtesy.score", code, "60", INSPECTOR)]
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
    assert len(audit_rows(db)) == 1


def test_a_refused_scoring_start_keeps_its_audit_row_and_an_unlinked_person_writes_none(
    db: Database,
) -> None:
    code, person, other = linked_call(db)
    refused = db.call(scoring.begin_scoring, code=code, person_id=other, by=OTHER, now=MADE)
    assert refused == scoring.Refusal("courtesy.errors.not_yours", {"test": code})
    assert audit_rows(db) == [("courtesy.score.refused", code, "courtesy.errors.not_yours", OTHER)]
    started = db.call(scoring.begin_scoring, code=code, person_id=person, by=INSPECTOR, now=MADE)
    assert isinstance(started, scoring.ScoringStart) and started.view.code == code
    with pytest.raises(UserError) as unlinked:
        db.call(scoring.begin_scoring, code=code, person_id=person + 1000, by=SECRETARY, now=MADE)
    assert unlinked.value.key == "courtesy.tests.not_linked"
    assert len(audit_rows(db)) == 1


def test_an_inspectors_open_calls_or_none_when_not_linked(db: Database) -> None:
    code, person, _ = linked_call(db)
    calls = db.call(scoring.open_calls_of, person_id=person)
    assert calls is not None and code in [v.code for v in calls]
    assert all(v.status == "planned" for v in calls)
    assert db.call(scoring.open_calls_of, person_id=person + 1000) is None


def test_a_call_is_scored_only_from_its_scheduled_date_and_time_unless_recorded_early(
    db: Database,
) -> None:
    code, person, _ = linked_call(db)
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
    assert audit_rows(db) == [
        ("courtesy.score.refused", code, "courtesy.errors.too_early", INSPECTOR),
        ("courtesy.score.early", code, "cli", None),
    ]


def test_results_are_refused_for_bad_points_unknown_items_and_tests_and_double_scoring(
    planned: Database,
) -> None:
    db = planned
    with db.transaction() as session:
        view = next(
            v for v in fetch_test_views(session=session, year=2026) if v.template == "business"
        )

    def record(code: str = view.code, **changes: object) -> None:
        points = dict(FULL)
        points.update(changes.pop("points", {}))  # type: ignore[arg-type]
        db.call(
            scoring.record_result,
            now=MADE,
            code=code,
            points=points,
            rings=3,
            pass_mark=PASS_MARK,
            recorded_by="test",
            **changes,
        )

    cases = [
        ({"points": {"tone": 21}}, "courtesy.errors.bad_points"),
        ({"points": {"smile": 3}}, "courtesy.errors.unknown_item"),
        ({"code": "2026-9-999"}, "courtesy.errors.unknown_test"),
        ({"inspector_ids": [-1]}, "courtesy.errors.not_yours"),
    ]
    for changes, key in cases:
        with pytest.raises(UserError) as refused:
            record(**changes)  # type: ignore[arg-type]
        assert refused.value.key == key
    record()
    with pytest.raises(UserError) as refused:
        record()
    assert refused.value.key == "courtesy.errors.already_scored"
    record(points={"tone": 15}, amend=True)
    with db.transaction() as session:
        history = session.exec(
            select(CourtesyResult).where(CourtesyResult.test_id == view.id)
        ).all()
    assert sorted((r.superseded_at is None, r.total) for r in history) == [
        (False, 100),
        (True, 95),
    ]


def test_a_new_rubric_version_scores_new_calls_and_old_results_keep_theirs(
    planned: Database,
    cli,  # noqa: F811
    tmp_path: Path,
) -> None:
    first, second = business_calls(planned)[:2]
    planned.call(
        scoring.record_result,
        code=first.code,
        points=FULL,
        rings=2,
        pass_mark=80,
        recorded_by="t",
        now=MADE,
    )
    items = [i.to_json() for i in DEFAULT_TEMPLATES[BUSINESS][2]]
    items[4]["max"], items[4]["choices"] = 25, [25, 20, 10, 0]  # tone weighs more
    items[5]["max"], items[5]["choices"] = 10, [10, 5, 0]
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    code, out, _ = run_courtesy(cli, "rubric", "add", BUSINESS, str(path))
    assert (code, out.strip()) == (0, "business v2")
    recorded = planned.call(
        scoring.record_result,
        now=MADE,
        code=second.code,
        points={**FULL, "tone": 25, "accuracy": 10},
        rings=2,
        pass_mark=80,
        recorded_by="t",
    )
    assert recorded.rubric.version == 2 and recorded.score.total == 100
    with planned.transaction() as session:
        versions = {
            r.test_id: session.get(CourtesyRubric, r.rubric_id).version  # type: ignore[union-attr]
            for r in session.exec(select(CourtesyResult)).all()
        }
    assert versions == {first.id: 1, second.id: 2}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps([{"code": "x", "max": 5, "choices": [3]}]), encoding="utf-8")
    code, _, err = run_courtesy(cli, "rubric", "add", BUSINESS, str(bad))
    assert code == 2 and "malformed" in err


def test_a_results_file_is_recorded_whole_or_not_at_all(planned: Database) -> None:
    calls = business_calls(planned)[:2]
    columns = "test_id,inspector,rings,seconds,answered," + ",".join(FULL) + ",note"
    full = ",".join(str(v) for v in FULL.values())
    good = f"{calls[0].code},{calls[0].inspector_extension},2,,yes,{full},ok"
    wrong_inspector = f"{calls[1].code},{calls[0].staff_id}99,2,,yes,{full},"
    with pytest.raises(RowErrors) as refused:
        planned.call(
            scoring.import_results,
            now=MADE,
            text=f"{columns}\n{good}\n{wrong_inspector}\n",
            pass_mark=80,
            recorded_by="t",
        )
    assert [(p.line, p.key) for p in refused.value.problems] == [
        (3, "courtesy.errors.unknown_extension")
    ]
    with planned.transaction() as session:
        assert session.exec(select(CourtesyResult)).all() == []
    second = f"{calls[1].code},,,12,yes,{full.replace('20', '5', 1)},"
    done = planned.call(
        scoring.import_results,
        now=MADE,
        text=f"{columns}\n{good}\n{second}\n",
        pass_mark=80,
        recorded_by="t",
    )
    assert [(d.code, d.score.total) for d in done] == [(calls[0].code, 100), (calls[1].code, 70)]


def test_retest_days_puts_the_retest_within_that_many_days_and_repeat_failures_count(
    planned: Database,
) -> None:
    view = business_calls(planned)[0]
    failing = {**FULL, "tone": 0, "accuracy": 0}
    first = planned.call(
        scoring.record_result,
        now=MADE,
        code=view.code,
        points=failing,
        rings=2,
        pass_mark=80,
        recorded_by="t",
        retest_days=10,
        today=view.day,
    )
    assert first.action_id is not None and first.retest_code is not None
    with planned.transaction() as session:
        retest = session.exec(
            select(CourtesyTest).where(CourtesyTest.code == first.retest_code)
        ).one()
        assert view.day < retest.scheduled_on <= view.day + timedelta(days=10)
        retest_view = next(
            v for v in fetch_test_views(session=session) if v.code == first.retest_code
        )
        assert retest_view.inspector_unit != retest_view.unit_code
        assert retest_view.retest_of_action_id == first.action_id
    again = planned.call(
        scoring.record_result,
        now=MADE,
        code=first.retest_code,
        points=failing,
        rings=2,
        pass_mark=80,
        recorded_by="t",
        today=date(2026, 2, 1),
    )
    with planned.transaction() as session:
        second = session.get(CourtesyAction, again.action_id)
        assert second is not None and second.repeat_count == 1


def test_the_command_line_records_as_an_inspector_only_their_own_calls(planned: Database) -> None:
    calls = business_calls(planned)
    first = calls[0]
    second = next(v for v in calls if v.inspector_id != first.inspector_id)
    common = dict(now=MADE, points=FULL, rings=2, pass_mark=PASS_MARK)
    with pytest.raises(UserError) as theirs:
        planned.call(
            scoring.record_by_extension, by=first.inspector_extension, code=second.code, **common
        )
    assert theirs.value.key == "courtesy.errors.not_yours"
    with pytest.raises(UserError) as nobody:
        planned.call(scoring.record_by_extension, by="999", code=first.code, **common)
    assert nobody.value.key == "courtesy.errors.unknown_extension"
    mine = planned.call(
        scoring.record_by_extension, by=first.inspector_extension, code=first.code, **common
    )
    secretariat = planned.call(scoring.record_by_extension, by=None, code=second.code, **common)
    assert (mine.score.total, secretariat.score.total) == (100, 100)
    with planned.transaction() as session:
        recorded_by = {
            r.test_id: r.recorded_by for r in session.exec(select(CourtesyResult)).all()
        }
    assert recorded_by == {first.id: f"cli:{first.inspector_extension}", second.id: "cli"}


def test_a_call_is_too_early_until_its_minute_in_the_callers_zone() -> None:
    day, at = date(2026, 3, 2), time(10, 30)
    zone = MADE.tzinfo
    early = scoring.too_early("2026-1-001", day, at, now=datetime(2026, 3, 2, 10, 29, tzinfo=zone))
    assert early is not None and (early.key, early.values) == (
        "courtesy.errors.too_early",
        {"test": "2026-1-001", "day": day, "time": "10:30"},
    )
    assert scoring.too_early("x", day, at, now=datetime(2026, 3, 2, 10, 30, tzinfo=zone)) is None
