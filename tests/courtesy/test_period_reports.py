"""Courtesy tests over a half-year: only the calls dated in it, progress against the year's
courtesy target (else the plan's 80, said so), corrective actions opened and closed in it; and
the same through `courtesy report --period` and `courtesy plan` without --target."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.assessment.targets import set_targets
from bot.cli.app import app
from courtesy.demo import seed_demo
from courtesy.period_reports import build_period_report
from courtesy.report_files import write_report
from kernel.errors import UserError
from kernel.periods import Period
from kernel.reporting import TAIPEI
from storage.db import Database
from storage.queries.courtesy import fetch_actions, fetch_current_results, fetch_test_views
from tests.factories import directory_csv, run_courtesy

TODAY = date(2026, 11, 26)
FIRST, LAST = date(2025, 1, 1), date(2025, 6, 30)


def test_a_half_year_counts_the_calls_dated_in_it_and_its_actions(
    db: Database, tmp_path: Path
) -> None:
    db.call(seed_demo, rng=random.Random(5), year=2025)
    report = db.call(
        build_period_report, period=Period(2025, half=1), language="en", pass_mark=80, today=TODAY
    )

    def independent(session):  # type: ignore[no-untyped-def]
        views = [v for v in fetch_test_views(session=session, year=2025) if FIRST <= v.day <= LAST]
        results = [
            r
            for r, test in fetch_current_results(
                session=session, round_ids=sorted({v.round_id for v in views})
            )
            if FIRST <= test.scheduled_on <= LAST
        ]
        actions = fetch_actions(session=session)
        opened = [a for a in actions if FIRST <= a.created_at.astimezone(TAIPEI).date() <= LAST]
        closed = [
            a
            for a in actions
            if a.closed_at and FIRST <= a.closed_at.astimezone(TAIPEI).date() <= LAST
        ]
        return views, results, opened, closed

    views, results, opened, closed = db.call(independent)
    assert 0 < len(views) < 80  # the first half only, not the year
    assert report.calls == len(views)
    assert report.scored == len(results)
    assert report.average == round(sum(r.total for r in results) / len(results), 1)
    assert report.pass_rate == round(100 * sum(r.passed for r in results) / len(results), 1)
    assert sum(u.calls for u in report.units) == len(views)
    assert report.period is not None
    assert [a.id for a in report.period.opened] == [a.id for a in opened]
    assert [a.id for a in report.period.closed] == [a.id for a in closed]
    assert (report.period.target, report.period.expected) == (80, 40)
    assert report.period.target_note is not None and "80" in report.period.target_note
    files = write_report(report, tmp_path)
    assert files[0].name == "courtesy-2025-H1.html"
    page = files[0].read_text("utf-8")
    assert "Telephone courtesy tests: first half of 2025" in page
    assert "Progress against the year&#39;s target" in page

    db.call(set_targets, year=2025, figures={"courtesy": 90}, by="test")
    report = db.call(
        build_period_report,
        period=Period(2025),
        language="zh-TW",
        pass_mark=80,
        today=TODAY,
    )
    assert report.period is not None
    assert (report.period.target, report.period.expected, report.period.target_note) == (
        90,
        90,
        None,
    )
    assert report.title == "114 年度電話禮貌測試報告"


def test_a_period_not_begun_or_not_planned_is_refused(db: Database) -> None:
    with pytest.raises(UserError) as raised:
        db.call(
            build_period_report,
            period=Period(2027, half=1),
            language="en",
            pass_mark=80,
            today=TODAY,
        )
    assert raised.value.key == "period.future"
    with pytest.raises(UserError) as raised:
        db.call(
            build_period_report,
            period=Period(2024, half=1),
            language="en",
            pass_mark=80,
            today=TODAY,
        )
    assert raised.value.key == "courtesy.plan.none"


def test_the_command_line_takes_a_period_and_plans_to_the_years_target(
    cli: CliRunner, tmp_path: Path
) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(directory_csv(), encoding="utf-8")
    run_courtesy(cli, "staff", "import", str(staff))
    code, out, _ = run_courtesy(cli, "plan", "--year", "2026", "--seed", "5")
    assert code == 0 and "80 calls" in out and "No courtesy target is set for 2026" in out
    assert cli.invoke(app, ["target", "set", "--year", "2026", "--courtesy", "84"]).exit_code == 0
    code, out, _ = run_courtesy(cli, "plan", "--year", "2026", "--seed", "5")
    assert code == 0 and "84 calls" in out and "Courtesy target for 2026: 84 calls." in out
    code, out, err = run_courtesy(
        cli, "report", "--period", "2026-H1", "--out", str(tmp_path / "r"), "--lang", "en"
    )
    assert code == 0, err
    assert (tmp_path / "r" / "courtesy-2026-H1.html").exists()
    code, _, err = run_courtesy(cli, "report", "--period", "2026-H2", "--out", str(tmp_path))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "2026-H2" in err
