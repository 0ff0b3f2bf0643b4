"""`bsmi-desk courtesy report`: a round's files written, a round that is not one, numbers and
languages out of range and a folder that cannot be written each refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.bot.cli.courtesy.commands import (
    business_call,
    plan,
    record_unanswered,
    refused_in_one_line,
)
from tests.courtesy.plans import REPORT_FILE_ENDS
from tests.factories import run_courtesy


def test_a_rounds_report_is_written_and_a_round_that_is_not_one_refused(
    cli: CliRunner, tmp_path: Path, database_url: str
) -> None:
    plan(cli, tmp_path)
    record_unanswered(cli, business_call(database_url).code)
    out_dir = tmp_path / "reports"
    code, out, _ = run_courtesy(cli, "report", "--round", "2026-1", "--out", str(out_dir))
    assert code == 0
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(
        f"courtesy-2026-1{end}" for end in REPORT_FILE_ENDS
    )
    code, _, err = run_courtesy(cli, "report", "--round", "2026-7", "--out", str(out_dir))
    assert code == 2 and "is not a round" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("report", "--round", "99999999999-1", "--out", "x"), "is not a round"),
        (("report", "--year", "99999999999", "--out", "x"), "use a year from 2000 to 2099"),
        (("report", "--round", "2026-1", "--out", "x", "--lang", "fr"), "use zh-TW or en"),
    ],
)
def test_out_of_range_numbers_are_refused_with_one_line_not_a_traceback(
    cli: CliRunner, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    refused_in_one_line(cli, tmp_path, args, message)


def test_an_unwritable_report_folder_is_one_line_not_a_traceback(
    cli: CliRunner, tmp_path: Path
) -> None:
    plan(cli, tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    out = blocker / "reports"
    code, _, err = run_courtesy(cli, "report", "--round", "2026-1", "--out", str(out))
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"Cannot write into the folder {out}")
