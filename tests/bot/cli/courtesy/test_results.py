"""`bsmi-desk courtesy record` and `import`: a result refused for points its item does not
allow, an unknown item or test, a call scored twice or not yet made (unless --early, audited);
a failure opens its corrective action; a results file with a row too wide is refused by line."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from kernel.clock import utcnow
from storage.db import Database
from storage.models import AuditEntry, CourtesyResult
from tests.bot.cli.courtesy.commands import (
    FAILING_ITEMS,
    business_call,
    plan,
    record_unanswered,
    refused_in_one_line,
)
from tests.factories import run_courtesy


def test_a_result_is_refused_for_bad_points_or_items_and_a_failure_opens_an_action(
    cli: CliRunner, tmp_path: Path, database_url: str
) -> None:
    plan(cli, tmp_path)
    test_id = business_call(database_url).code
    args = [arg for item in FAILING_ITEMS for arg in ("--item", item)]
    code, _, err = run_courtesy(cli, "record", test_id, "--rings", "2", *args, "--item", "tone=7")
    assert code == 2
    assert err == "Item “tone” cannot get 7 points; allowed: 20, 15, 10, 5, 0.\n"
    code, _, err = run_courtesy(cli, "record", test_id, "--rings", "2", *args, "--item", "smile=1")
    assert code == 2 and "has no item “smile”" in err
    code, _, err = run_courtesy(cli, "record", "2026-9-999", "--rings", "2", *args)
    assert code == 2 and err == "There is no test “2026-9-999”.\n"
    out = record_unanswered(cli, test_id)
    assert "failed" in out and "corrective and preventive action #1 opened" in out
    code, _, err = run_courtesy(cli, "record", test_id, "--rings", "2", *args)
    assert code == 2 and "already scored" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("record", "2026-1-001", "--rings", "99999999999"), "Rings must be from 0 to 99"),
        (("record", "2026-1-001", "--rings", "2", "--retest-days", "9999999"), "--retest-days"),
    ],
)
def test_out_of_range_numbers_are_refused_with_one_line_not_a_traceback(
    cli: CliRunner, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    refused_in_one_line(cli, tmp_path, args, message)


def test_a_results_row_with_an_extra_field_is_refused_with_its_line_number(
    cli: CliRunner, tmp_path: Path
) -> None:
    plan(cli, tmp_path)
    results = tmp_path / "results.csv"
    results.write_text("test_id,rings,tone\n2026-1-001,2,20,extra\n", encoding="utf-8")
    code, _, err = run_courtesy(cli, "import", str(results))
    assert code == 2
    assert err.splitlines() == [
        "Line 2 has 4 fields but the header has 3; quote a field that holds a comma."
    ]


def test_a_call_cannot_be_recorded_before_its_time_unless_early_is_said_and_audited(
    cli: CliRunner, tmp_path: Path, database_url: str
) -> None:
    year = utcnow().astimezone(ZoneInfo("Asia/Taipei")).year + 1
    plan(cli, tmp_path, year=year)
    view = business_call(database_url, year=year)
    db = Database(database_url)
    items = ["speed=25", "unit_name=8", "greeting=6", "surname=6"]
    items += ["tone=20", "accuracy=15", "handling=10", "closing=10"]
    args = [f"--item={i}" for i in items]
    code, out, err = run_courtesy(cli, "record", view.code, *args)
    assert code == 2 and out == ""
    assert err.strip() == (
        f"Test {view.code} is scheduled for {view.day.isoformat()} {view.at.strftime('%H:%M')}; "
        "it can be scored only after the call is made (a system administrator may record it "
        "earlier with --early)."
    )
    results = tmp_path / "results.csv"
    columns = ",".join(i.split("=")[0] for i in items)
    points = ",".join(i.split("=")[1] for i in items)
    results.write_text(f"test_id,{columns}\n{view.code},{points}\n", "utf-8")
    code, _, err = run_courtesy(cli, "import", str(results))
    assert code == 2 and f"line 2: Test {view.code} is scheduled for" in err
    with db.transaction() as session:
        assert session.exec(select(CourtesyResult)).all() == []
    code, out, err = run_courtesy(cli, "record", view.code, *args, "--early")
    assert code == 0, err
    assert "100 points" in out
    with db.transaction() as session:
        early = session.exec(
            select(AuditEntry).where(AuditEntry.action == "courtesy.score.early")
        ).all()
    db.dispose()
    assert [(e.target, e.actor_telegram_id) for e in early] == [(view.code, None)]
