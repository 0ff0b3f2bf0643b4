"""Courtesy-test benchmarks: the planner on a large directory and a year report over ten years.

    .venv/bin/python bench/courtesy.py [--staff 1000] [--units 40] [--years 10] [--calls 80]

Targets (issue #5): a plan for 1,000 staff in 40 units under 1 s; a year report over 10 years
of results under 2 s. The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from courtesy import report_files, reports, schedule, scoring  # noqa: E402
from courtesy.demo import demo_directory_csv  # noqa: E402
from courtesy.directory import import_staff  # noqa: E402
from courtesy.planner import StaffEntry, draw_plan  # noqa: E402
from courtesy.schedule_csv import csv_text, plan_rows  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.queries.courtesy import fetch_test_views  # noqa: E402

REPORT_DAY = date(2027, 2, 1)
FULL = {
    "unit_name": 8,
    "greeting": 6,
    "surname": 6,
    "tone": 20,
    "accuracy": 15,
    "handling": 10,
    "closing": 10,
}


def bench_plan(staff_count: int, unit_count: int, runs: int = 3) -> dict[str, float]:
    rng = random.Random(1)
    units = [f"unit{i:02d}" for i in range(unit_count)]
    staff = [
        StaffEntry(i + 1, units[i % unit_count], f"staff {i}", f"{10000 + i}", rng.random() < 0.1)
        for i in range(staff_count)
    ]
    timings = []
    for run in range(runs):
        started = time.perf_counter()
        plan = draw_plan(
            staff=staff, units=units, year=2026, target=staff_count, per_unit=2, seed=run
        )
        text = csv_text(plan_rows(plan, staff))
        timings.append(time.perf_counter() - started)
    assert len(text.splitlines()) == staff_count + 2  # the caption line, the header, the calls
    return {"plan_staff": staff_count, "plan_units": unit_count, "plan_s": round(min(timings), 3)}


def bench_year_report(years: int, calls: int) -> dict[str, float]:
    rng = random.Random(2)
    with tempfile.TemporaryDirectory(prefix="bench-courtesy-") as tmp:
        db = Database(f"sqlite:///{tmp}/bench.sqlite3")
        db.upgrade()
        db.call(import_staff, text=demo_directory_csv(rng))
        first_year = 2026 - years + 1
        started = time.perf_counter()
        for year in range(first_year, 2027):
            db.call(schedule.plan_year, year=year, target=calls, per_unit=2, seed=year)
            with db.transaction() as session:
                views = fetch_test_views(session=session, year=year)
                for view in views:
                    points = dict(FULL)
                    if view.template == "switchboard":
                        points = {k: points[k] for k in ("unit_name", "greeting", "surname")}
                    if rng.random() < 0.15:
                        points["surname"] = 0
                        points["unit_name"] = 0
                        points["greeting"] = 0
                    scoring.record_result(
                        session=session,
                        code=view.code,
                        points=points,
                        pass_mark=80,
                        recorded_by="bench",
                        rings=rng.choice((1, 2, 3, 4, 6)),
                        today=view.day,
                        now=datetime.combine(view.day, view.at, tzinfo=UTC),  # as it is made
                        retest_days=30,
                    )
        setup = time.perf_counter() - started
        with db.transaction() as session:
            results = sum(1 for _ in fetch_test_views(session=session, status="scored"))
        out = Path(tmp) / "out"
        report_files.write_report(  # warm-up: imports matplotlib and Jinja2 once
            db.call(
                reports.build_year_report,
                year=2026,
                language="zh-TW",
                pass_mark=80,
                today=REPORT_DAY,
            ),
            out,
        )
        timings = []
        build_timings = []
        for _ in range(3):
            started = time.perf_counter()
            built = db.call(
                reports.build_year_report,
                year=2026,
                language="zh-TW",
                pass_mark=80,
                today=REPORT_DAY,
            )
            build_timings.append(time.perf_counter() - started)
            report_files.write_report(built, out)
            timings.append(time.perf_counter() - started)
        round_started = time.perf_counter()
        built_round = db.call(
            reports.build_round_report,
            year=2026,
            number=3,
            language="zh-TW",
            pass_mark=80,
            today=REPORT_DAY,
        )
        report_files.write_report(built_round, out)
        round_s = time.perf_counter() - round_started
        db.dispose()
    return {
        "report_years": years,
        "report_results": results,
        "report_setup_s": round(setup, 1),
        "year_report_build_s": round(min(build_timings), 3),
        "year_report_with_files_s": round(min(timings), 3),
        "round_report_with_files_s": round(round_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=1000)
    parser.add_argument("--units", type=int, default=40)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--calls", type=int, default=80, help="calls per year in the report data")
    args = parser.parse_args()
    figures: dict[str, float] = {}
    figures.update(bench_plan(args.staff, args.units))
    print(f"plan: {args.staff} staff in {args.units} units: {figures['plan_s']} s (target < 1 s)")
    figures.update(bench_year_report(args.years, args.calls))
    print(
        f"year report over {args.years} years ({figures['report_results']} results): "
        f"{figures['year_report_build_s']} s to compute, "
        f"{figures['year_report_with_files_s']} s with HTML, CSV and PNG (target < 2 s)"
    )
    print(f"round report with trend and files: {figures['round_report_with_files_s']} s")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
