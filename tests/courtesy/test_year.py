"""A full year on a real database: directory, plan, results, actions to a verified close,
reports whose figures are checked against values computed here independently."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from statistics import fmean
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from courtesy import actions, directory, report_files, reports, schedule, scoring
from courtesy.directory import RowErrors
from courtesy.rubric import grade_for
from kernel.errors import UserError
from storage.db import Database
from storage.models import ActionStatus, CourtesyResult, CourtesyTest
from storage.queries.courtesy import fetch_action_events, fetch_actions, fetch_test_views
from tests.factories import FULL, directory_csv

MADE = datetime(2027, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Taipei"))
"""When tests score calls: after every 2026 call and retest was made, whatever the clock."""

PASS_MARK = 80


def points_for(view, rng_value: int) -> tuple[dict[str, int], int | None]:
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


@pytest.fixture
def planned(db: Database) -> Database:
    summary = db.call(directory.import_staff, text=directory_csv())
    assert (summary.added, summary.deactivated) == (84, 0)
    db.call(schedule.plan_year, year=2026, target=80, per_unit=2, seed=7)
    return db


def test_bad_directory_rows_are_listed_with_line_numbers_and_nothing_is_imported(
    db: Database,
) -> None:
    text = (
        "unit,name,extension,inspector\nsec1,甲,101,yes\nnowhere,乙,102,no\n"
        "sec2,,103,no\nsec3,丙,101,maybe\n"
    )
    with pytest.raises(RowErrors) as refused:
        db.call(directory.import_staff, text=text)
    assert [(p.line, p.key) for p in refused.value.problems] == [
        (3, "courtesy.staff.row_unit"),
        (4, "courtesy.staff.row_name"),
        (5, "courtesy.staff.row_duplicate"),
    ]
    with db.transaction() as session:
        from storage.queries.courtesy import fetch_staff

        assert fetch_staff(session=session, active_only=False) == []


def test_a_reimport_updates_by_extension_and_deactivates_who_left(db: Database) -> None:
    db.call(directory.import_staff, text=directory_csv())
    fewer = directory_csv().replace("職員201,201,yes", "林大同,201,yes").splitlines()
    fewer = [line for line in fewer if not line.endswith(",202,no,no")]
    summary = db.call(directory.import_staff, text="\n".join(fewer) + "\n")
    assert (summary.added, summary.updated, summary.deactivated) == (0, 1, 1)


def test_a_full_year_from_plan_to_verified_close_with_reports_that_add_up(
    planned: Database, tmp_path: Path
) -> None:
    db = planned
    csv_first = db.call(schedule.schedule_csv, year=2026)
    assert csv_first.splitlines()[0].startswith(
        "115 年電話禮貌測試排程；期間 115/01/01 – 115/12/31"
    )
    assert csv_first.splitlines()[1] == (
        "測試編號,輪次,日期,時間,受測單位,受測人,分機,稽查同仁,稽查同仁單位"
    )
    assert len(csv_first.splitlines()) == 82

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

    # Round report: unit averages equal to the values computed above.
    with db.transaction() as session:
        report = reports.build_round_report(
            session=session,
            year=2026,
            number=1,
            language="zh-TW",
            pass_mark=PASS_MARK,
            today=date(2027, 2, 1),
        )
    expected = {unit: round(fmean(values), 1) for unit, values in expected_totals[1].items()}
    assert {u.code: u.average for u in report.units} == expected
    everything = [t for values in expected_totals[1].values() for t in values]
    assert report.scored == len(everything)
    assert report.average == round(fmean(everything), 1)
    assert report.grade == grade_for(report.average)
    assert report.overdue == []
    assert report.items and report.items[0].code in ("tone", "accuracy", "speed")
    files = report_files.write_report(report, tmp_path)
    assert [f.name for f in files] == [
        "courtesy-2026-1.html",
        "courtesy-2026-1-units.csv",
        "courtesy-2026-1-items.csv",
        "courtesy-2026-1-trend.csv",
        "courtesy-2026-1.png",
    ]
    assert all(f.read_bytes().startswith(b"\xef\xbb\xbf") for f in files[1:4])
    assert "第一課" in files[0].read_text(encoding="utf-8")
    assert files[4].read_bytes().startswith(b"\x89PNG")

    with db.transaction() as session:
        year = reports.build_year_report(
            session=session,
            year=2026,
            language="en",
            pass_mark=PASS_MARK,
            today=date(2027, 2, 1),
        )
    assert [t.label for t in year.trend] == ["2026 R1", "2026 R2", "2026 R3"]
    assert [t.average for t in year.trend][0] == report.average


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


def test_a_round_with_no_results_still_gets_its_files_saying_so(
    planned: Database, tmp_path: Path
) -> None:
    with planned.transaction() as session:
        report = reports.build_round_report(
            session=session,
            year=2026,
            number=2,
            language="en",
            pass_mark=PASS_MARK,
            today=date(2026, 12, 1),
        )
    assert not report.has_results
    assert len(report.overdue) == report.calls > 0
    files = report_files.write_report(report, tmp_path)
    assert all(f.exists() for f in files)
    assert "No results have been recorded" in files[0].read_text(encoding="utf-8")
