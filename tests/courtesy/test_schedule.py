"""A year's schedule in the database: a drawn plan stored, replaced while it has no results,
read back in order and written as CSV with its caption and headers in the report's language."""

from __future__ import annotations

import csv
import io
import random

import pytest

from courtesy import schedule, scoring
from courtesy.demo import seed_demo
from kernel.errors import UserError
from storage.db import Database
from storage.queries.courtesy import fetch_rounds
from tests.courtesy.plans import MADE
from tests.factories import FULL
from tests.reports.spreadsheet import risky_cells


def test_a_planned_years_csv_has_a_caption_a_header_and_a_row_per_call(
    planned: Database,
) -> None:
    csv_first = planned.call(schedule.schedule_csv, year=2026)
    assert csv_first.splitlines()[0].startswith(
        "115 年電話禮貌測試排程；期間 115/01/01 – 115/12/31"
    )
    assert csv_first.splitlines()[1] == (
        "測試編號,輪次,日期,時間,受測單位,受測人,分機,稽查同仁,稽查同仁單位"
    )
    assert len(csv_first.splitlines()) == 82


def test_the_schedule_csv_keeps_codes_rounds_and_dates_as_written(db: Database) -> None:
    db.call(seed_demo, rng=random.Random(3), year=2025)
    text = db.call(schedule.schedule_csv, year=2025, language="en")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0].startswith("Telephone courtesy tests 2025: schedule")
    assert rows[1][:3] == ["Test", "Round", "Date"]
    assert risky_cells(rows) == []
    assert rows[2][0].startswith("#2025-1-") and rows[2][1] == "2025 R1"
    codes = {r[0].removeprefix("#") for r in rows[2:]}
    assert len(codes) == len(rows) - 2


def test_a_plan_is_replaced_until_a_result_is_recorded(planned: Database) -> None:
    first = planned.call(schedule.schedule_views, year=2026)
    planned.call(schedule.plan_year, year=2026, target=80, per_unit=2, seed=8)
    second = planned.call(schedule.schedule_views, year=2026)
    assert len(second) == len(first) == 80
    assert [(v.day, v.staff_id) for v in second] != [(v.day, v.staff_id) for v in first]
    assert [(v.round, v.day, v.at, v.code) for v in second] == sorted(
        (v.round, v.day, v.at, v.code) for v in second
    )
    with planned.transaction() as session:
        rounds = fetch_rounds(session=session, year=2026)
    assert [(r.number, r.seed) for r in rounds] == [(1, 8), (2, 8), (3, 8)]
    planned.call(
        scoring.record_result,
        now=MADE,
        code=second[0].code,
        points={**FULL, "speed": 25},
        pass_mark=80,
        recorded_by="t",
    )
    with pytest.raises(UserError) as scored:
        planned.call(schedule.plan_year, year=2026, seed=9)
    assert scored.value.key == "courtesy.plan.has_results"
    kept = planned.call(schedule.schedule_views, year=2026)
    assert [(v.code, v.day, v.staff_id) for v in kept] == [
        (v.code, v.day, v.staff_id) for v in second
    ]


def test_a_bad_seed_or_an_unplanned_year_is_refused(planned: Database) -> None:
    for seed in (-1, 2**31):
        with pytest.raises(UserError) as refused:
            planned.call(schedule.plan_year, year=2026, seed=seed)
        assert refused.value.key == "courtesy.plan.bad_seed"
    with pytest.raises(UserError) as none:
        planned.call(schedule.schedule_csv, year=2027)
    assert none.value.key == "courtesy.plan.none"
