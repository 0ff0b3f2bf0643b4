"""`bsmi-desk training add|list` and the period pack's training section: 13 sessions by 30 June
against the plan's 26 show 50%, and the pack says where the target comes from; bad input is
one sentence."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from bot.cli import report as report_cli
from bot.cli import training as training_cli
from tests.bot.cli.console import invoke, one_line

JULY = date(2027, 7, 10)


@pytest.fixture(autouse=True)
def in_july(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(training_cli, "today", lambda tz: JULY)
    moment = datetime(2027, 7, 10, 10, 0, tzinfo=ZoneInfo("Asia/Taipei"))
    monkeypatch.setattr(report_cli, "utcnow", lambda: moment)


def add_sessions(cli: CliRunner) -> None:
    """13 sessions in the first half (sec1 eight, sec2 five) and one in July."""
    for n in range(13):
        day = date(2027, 1, 15) + timedelta(days=13 * n)
        code, out, err = invoke(
            cli, "training", "add", "--on", day.isoformat(), "--unit", "sec1" if n < 8 else "sec2",
            "--title", f"CNS 新制說明 {n + 1}", "--hours", "2" if n % 2 else "1.5",
            "--attendees", "35",
        )  # fmt: skip
        assert code == 0, err
        assert day <= date(2027, 6, 30)
    code, out, _ = invoke(
        cli, "training", "add", "--on", "2027-07-05", "--unit", "sec1", "--title", "July",
        "--hours", "3", "--attendees", "20", "--audience", "firms",
    )  # fmt: skip
    assert code == 0 and "(firms)" in out


def test_thirteen_sessions_by_june_against_26_show_50_percent(
    cli: CliRunner, tmp_path: Path
) -> None:
    add_sessions(cli)
    code, out, _ = invoke(cli, "training", "list", "--year", "2027")
    lines = out.splitlines()
    assert len(lines) == 15 and "2027-01-15 First Section CNS 新制說明 1 1.5 h 35" in lines[0]
    assert lines[-1] == (
        "2027: 14 sessions, 25.5 hours, 475 attendees; yearly target 26 sessions "
        "(the plan's default), 54% reached"
    )
    code, _, err = invoke(cli, "report", "period", "--period", "2027-H1", "--out", str(tmp_path))
    assert code == 0, err
    with (tmp_path / "complaints-2027-H1-training.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    header = rows.index(next(r for r in rows if r and r[0] == "Unit"))
    table = {r[0]: r[1:] for r in rows[header + 1 :]}
    # sec1: four sessions of 1.5 h and four of 2 h; sec2: three of 1.5 h and two of 2 h
    assert table["First Section"][:3] == ["8", "14.0", "280"]
    assert table["Second Section"][:3] == ["5", "8.5", "175"]
    assert table["Total"][0] == "13" and table["Total"][3] == "26"
    assert float(table["Total"][4]) == 50.0
    page = (tmp_path / "complaints-2027-H1.html").read_text(encoding="utf-8")
    assert "Professional training" in page
    assert "No training target set for 2027: the plan" in page
    assert "default of 26 sessions applies." in page
    invoke(cli, "target", "set", "--year", "2027", "--training", "20")
    invoke(cli, "report", "period", "--period", "2027-H1", "--out", str(tmp_path))
    page = (tmp_path / "complaints-2027-H1.html").read_text(encoding="utf-8")
    assert "Training target for 2027: 20 sessions (set with target set)." in page


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--on", "2027-07-11"], "not after today"),
        (["--on", "someday"], '"someday" is not a date'),
        (["--unit", "sec9"], 'no unit with the code "sec9"'),
        (["--hours", "0"], "hours"),
        (["--hours", "1.25"], "half hours"),
        (["--attendees", "0"], "attendees"),
        (["--audience", "public"], '"public" is not an audience'),
        (["--title", " "], "title"),
    ],
)
def test_a_bad_session_is_one_sentence(cli: CliRunner, args: list[str], says: str) -> None:
    given = {"--on": "2027-03-12", "--unit": "sec1", "--title": "T", "--hours": "2",
             "--attendees": "35"}  # fmt: skip
    for i in range(0, len(args), 2):
        given[args[i]] = args[i + 1]
    code, _, err = invoke(cli, "training", "add", *[x for kv in given.items() for x in kv])
    assert says in one_line(code, err)
