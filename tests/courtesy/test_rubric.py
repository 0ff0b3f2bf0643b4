"""Rubrics: the default templates, scaling, grades, versions; results files; retests and
repeat failures."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from courtesy import directory, schedule, scoring
from courtesy.directory import RowErrors
from courtesy.rubric import (
    BUSINESS,
    DEFAULT_TEMPLATES,
    Rubric,
    grade_for,
    score,
    speed_points,
)
from kernel.errors import UserError
from storage.db import Database
from storage.models import CourtesyAction, CourtesyResult, CourtesyRubric, CourtesyTest
from storage.queries.courtesy import fetch_test_views
from tests.factories import FULL, directory_csv, run_courtesy

MADE = datetime(2027, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Taipei"))
"""When tests score calls: after every 2026 call and retest was made, whatever the clock."""


def rubric(template: str) -> Rubric:
    name_zh, name_en, items = DEFAULT_TEMPLATES[template]
    return Rubric(1, template, 1, name_zh, name_en, items)


def test_the_business_template_is_the_product_rubric_worth_100_points() -> None:
    business = rubric(BUSINESS)
    assert {i.code: i.max_points for i in business.items} == {
        "speed": 25,
        "unit_name": 8,
        "greeting": 6,
        "surname": 6,
        "tone": 20,
        "accuracy": 15,
        "handling": 10,
        "closing": 10,
    }
    assert business.possible == 100 and business.scale == 1
    assert [i.code for i in business.items if i.critical_zero] == ["speed"]


def test_the_switchboard_weighs_speed_and_courtesy_25_to_20_scaled_to_100() -> None:
    switchboard = rubric("switchboard")
    assert switchboard.possible == 45
    full = score(
        switchboard, {"speed": 25, "unit_name": 8, "greeting": 6, "surname": 6}, pass_mark=80
    )
    assert full.total == 100 and full.grade == "優"
    no_courtesy = score(
        switchboard, {"speed": 25, "unit_name": 0, "greeting": 0, "surname": 0}, pass_mark=80
    )
    assert no_courtesy.total == round(25 * 100 / 45, 1) == 55.6
    assert no_courtesy.lost == {"unit_name": 17.8, "greeting": 13.3, "surname": 13.3}


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (100, "優"),
        (90, "優"),
        (89.9, "甲"),
        (80, "甲"),
        (79.9, "乙"),
        (70, "乙"),
        (69, "丙"),
        (60, "丙"),
        (59.9, "丁"),
        (0, "丁"),
    ],
)
def test_grades_follow_the_bands(total: float, grade: str) -> None:
    assert grade_for(total) == grade


def test_speed_follows_rings_and_seconds_and_not_answering_is_critical() -> None:
    assert speed_points(rings=3, seconds=None) == 25
    assert speed_points(rings=4, seconds=None) == 20
    assert speed_points(rings=None, seconds=9) == 20
    assert speed_points(rings=6, seconds=25) == 10
    assert speed_points(rings=None, seconds=None, answered=False) == 0
    with pytest.raises(UserError):
        speed_points(rings=None, seconds=None)
    outcome = score(rubric(BUSINESS), {**FULL, "speed": 0}, pass_mark=70)
    assert outcome.total == 75 and outcome.critical_failed and not outcome.passed


@pytest.fixture
def planned(db: Database) -> Database:
    db.call(directory.import_staff, text=directory_csv())
    db.call(schedule.plan_year, year=2026, target=80, per_unit=2, seed=3)
    return db


def business_calls(db: Database) -> list:
    with db.transaction() as session:
        return [v for v in fetch_test_views(session=session, year=2026) if v.template == BUSINESS]


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


def test_the_migration_seeds_both_default_templates_as_version_one(db: Database) -> None:
    with db.transaction() as session:
        rows = session.exec(select(CourtesyRubric)).all()
    assert {(r.template, r.version) for r in rows} == {(BUSINESS, 1), ("switchboard", 1)}
    for row in rows:
        assert row.items == [i.to_json() for i in DEFAULT_TEMPLATES[row.template][2]]
