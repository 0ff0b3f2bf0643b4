"""`bsmi-desk report monthly`: the month's page and files written (ROC years when asked), and
a bad or future month or a folder that cannot be written one sentence with exit code 2."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from bot.cli.app import app
from tests.bot.cases.test_summary import COMPLAINT_FILES
from tests.bot.cli.console import run_cli


def test_the_monthly_report_is_written_and_a_bad_month_is_one_sentence(
    database_url: str, tmp_path: Path
) -> None:
    env = {"DATABASE_URL": database_url}
    out = tmp_path / "out"
    result = run_cli(
        "report",
        "monthly",
        "--month",
        "2026-03",
        "--out",
        str(out),
        "--roc",
        "--lang",
        "en",
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    html = (out / "complaints-2026-03.html").read_text(encoding="utf-8")
    assert "March 2026 (ROC 115)" in html
    assert all((out / name).exists() for name in COMPLAINT_FILES)

    for bad in (["--month", "2026-3x"], ["--month", "2099-01"]):
        result = run_cli("report", "monthly", *bad, "--out", str(out), env=env, cwd=tmp_path)
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_an_unwritable_out_folder_is_one_sentence_and_exit_2(
    cli: CliRunner, tmp_path: Path
) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the folder should be", encoding="utf-8")
    result = cli.invoke(
        app, ["report", "monthly", "--month", "2026-03", "--out", str(blocker / "2026")]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Cannot write into the folder {blocker / '2026'}")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr + result.stdout
