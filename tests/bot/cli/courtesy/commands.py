"""What the `bsmi-desk courtesy` tests do first: the branch directory imported and a year
planned from the command line, and a business call of it recorded as a failure."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from storage.db import Database
from storage.queries.courtesy import TestView, fetch_test_views
from tests.factories import directory_csv, run_courtesy

FAILING_ITEMS = [
    "unit_name=8",
    "greeting=6",
    "surname=6",
    "tone=5",
    "accuracy=5",
    "handling=0",
    "closing=5",
]
"""A business call's points but for speed: 35 of 75."""


def import_directory(cli: CliRunner, tmp_path: Path) -> Path:
    """`courtesy staff import` of the branch directory; returns its file."""
    staff = tmp_path / "staff.csv"
    staff.write_text(directory_csv(), encoding="utf-8")
    run_courtesy(cli, "staff", "import", str(staff))
    return staff


def plan(cli: CliRunner, tmp_path: Path, year: int = 2026) -> Path:
    """The directory imported and `year` planned with seed 5; returns the directory's file."""
    staff = import_directory(cli, tmp_path)
    run_courtesy(cli, "plan", "--year", str(year), "--seed", "5")
    return staff


def business_call(database_url: str, year: int = 2026) -> TestView:
    """The first business call planned in `year`."""
    db = Database(database_url)
    with db.transaction() as session:
        view = next(
            v for v in fetch_test_views(session=session, year=year) if v.template == "business"
        )
    db.dispose()
    return view


def record_unanswered(cli: CliRunner, code: str) -> str:
    """`courtesy record CODE --unanswered`: a failure that opens action #1; returns stdout."""
    args = [arg for item in FAILING_ITEMS for arg in ("--item", item)]
    exit_code, out, err = run_courtesy(cli, "record", code, "--unanswered", *args)
    assert exit_code == 0, err
    return out


def refused_in_one_line(cli: CliRunner, tmp_path: Path, args: tuple[str, ...], said: str) -> None:
    """With 2026 planned, `courtesy ARGS` fails with exit code 2 and one line saying `said`."""
    plan(cli, tmp_path)
    code, _, err = run_courtesy(cli, *args)
    assert code == 2 and said in err and len(err.strip().splitlines()) == 1
