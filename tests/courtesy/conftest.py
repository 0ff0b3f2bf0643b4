"""A planned 2026 and a 2026 whose every call was scored, for the courtesy tests."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pytest

from courtesy import directory, schedule, scoring
from storage.db import Database
from storage.queries.courtesy import TestView, fetch_test_views
from tests.courtesy.plans import MADE
from tests.factories import FULL, directory_csv

PASS_MARK = 80


@pytest.fixture
def planned(db: Database) -> Database:
    summary = db.call(directory.import_staff, text=directory_csv())
    assert (summary.added, summary.deactivated) == (84, 0)
    db.call(schedule.plan_year, year=2026, target=80, per_unit=2, seed=7)
    return db


def points_for(view: TestView, rng_value: int) -> tuple[dict[str, int], int | None]:
    """Full marks except a few deliberate losses, chosen by a number."""
    points = dict(FULL)
    if rng_value % 5 == 0:
        points["tone"] = 10
        points["accuracy"] = 0  # 25 lost: a failing 75 (乙)
    elif rng_value % 5 == 1:
        points["closing"] = 5
    if view.template == "switchboard":
        points = {k: v for k, v in points.items() if k in ("unit_name", "greeting", "surname")}
    return points, 2


@dataclass
class ScoredYear:
    db: Database
    totals: dict[int, dict[str, list[float]]]
    """Each round's totals by unit, computed here from the points given."""
    unanswered: str
    """The code of the one business call that was not answered (a critical failure)."""


@pytest.fixture
def scored_year(planned: Database) -> ScoredYear:
    """Every planned 2026 call scored, a fifth of them failing and one not answered."""
    db = planned
    expected_totals: dict[int, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    critical_code = None
    counter = 0
    for number in (1, 2, 3):
        with db.transaction() as session:
            views = [
                v
                for v in fetch_test_views(session=session, year=2026)
                if v.round == number and v.retest_of_action_id is None
            ]
        for view in views:
            counter += 1
            points, rings = points_for(view, counter)
            answered = True
            if critical_code is None and view.template == "business" and counter % 5 == 2:
                critical_code, answered = view.code, False
            db.call(
                scoring.record_result,
                now=MADE,
                code=view.code,
                points=points,
                rings=rings if answered else None,
                answered=answered,
                pass_mark=PASS_MARK,
                recorded_by="test",
                today=view.day,
            )
            earned = sum(points.values()) + (25 if answered else 0)
            total = round(earned * (100 / 45), 1) if view.template == "switchboard" else earned
            expected_totals[number][view.unit_code].append(float(total))
    assert critical_code is not None
    return ScoredYear(db, expected_totals, critical_code)
