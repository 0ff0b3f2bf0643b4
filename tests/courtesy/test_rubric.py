"""Rubrics: the default templates, scaling, grades and their names, speed, and the versions
the migration seeds."""

from __future__ import annotations

import pytest
from sqlmodel import select

from courtesy.reports import Labels
from courtesy.rubric import (
    BUSINESS,
    DEFAULT_TEMPLATES,
    GRADES,
    Rubric,
    grade_for,
    grade_label,
    score,
    speed_points,
)
from kernel.errors import UserError
from storage.db import Database
from storage.models import CourtesyRubric
from tests.factories import FULL


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


def test_the_migration_seeds_both_default_templates_as_version_one(db: Database) -> None:
    with db.transaction() as session:
        rows = session.exec(select(CourtesyRubric)).all()
    assert {(r.template, r.version) for r in rows} == {(BUSINESS, 1), ("switchboard", 1)}
    for row in rows:
        assert row.items == [i.to_json() for i in DEFAULT_TEMPLATES[row.template][2]]


def test_every_report_label_and_grade_is_in_both_catalogues() -> None:
    assert Labels.of("en").items == "Items losing the most points"
    assert Labels.of("zh-TW").items == "失分最多的項目"
    assert [grade_label(g, "en") for g in GRADES] == ["Excellent", "A", "B", "C", "D"]
    assert [grade_label(g, "zh-TW") for g in GRADES] == list(GRADES)
    assert grade_label("?", "en") == "?"
