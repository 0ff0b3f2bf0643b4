"""`bsmi-desk courtesy plan` and `schedule`: a plan the directory cannot give is refused, the
same seed draws the same plan, an unpublished year's calendar is said, and the schedule prints
a readable list per round or, when asked, the CSV."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.bot.cli.courtesy.commands import import_directory, refused_in_one_line
from tests.factories import run_courtesy


def test_a_plan_is_refused_when_the_units_are_too_small_and_the_same_seed_draws_it_again(
    cli: CliRunner, tmp_path: Path
) -> None:
    staff = tmp_path / "staff.csv"
    assert import_directory(cli, tmp_path) == staff
    code, _, err = run_courtesy(cli, "plan", "--year", "2026", "--per-unit", "3")
    assert code == 2 and "at least 108" in err
    code, out, _ = run_courtesy(cli, "plan", "--year", "2026", "--seed", "5")
    assert code == 0 and "80 calls" in out
    first = run_courtesy(cli, "schedule", "--year", "2026", "--csv")[1]
    run_courtesy(cli, "plan", "--year", "2026", "--seed", "5")
    again = run_courtesy(cli, "schedule", "--year", "2026", "--csv")[1]
    assert again.splitlines()[1:] == first.splitlines()[1:]  # all but the produced-at line
    assert first.splitlines()[1] == (
        "Test,Round,Date,Time,Unit,Person called,Extension,Inspector,Inspector's unit"
    )
    assert len(first.splitlines()) == 82  # the caption line, the header, 80 calls


def test_planning_an_unpublished_year_says_make_up_workdays_may_change(
    cli: CliRunner, tmp_path: Path
) -> None:
    import_directory(cli, tmp_path)
    code, out, _ = run_courtesy(cli, "plan", "--year", "2031")
    assert code == 0 and "make-up workdays may still change" in out


def test_schedule_prints_a_readable_list_per_round_and_csv_only_when_asked(
    cli: CliRunner, tmp_path: Path
) -> None:
    import_directory(cli, tmp_path)
    code, _, err = run_courtesy(cli, "schedule", "--year", "2026")
    assert code == 2 and "no courtesy test plan for 2026" in err
    run_courtesy(cli, "plan", "--year", "2026", "--seed", "5")
    readable = run_courtesy(cli, "schedule", "--year", "2026")[1].splitlines()
    table = run_courtesy(cli, "schedule", "--year", "2026", "--csv")[1].splitlines()
    assert table[0].startswith("Telephone courtesy tests 2026: schedule; period 2026-01-01")
    assert table[1].startswith("Test,Round,Date")
    assert readable[0] == "Round 2026-1: 27 calls"
    assert sum(line.startswith("Round 2026-") for line in readable) == 3
    assert len(readable) == 80 + 3
    first = table[2].split(",")
    assert first[0].startswith("#") and first[1] == "2026 R1"
    assert readable[1].split()[:3] == [first[0][1:], first[2].split(" ")[0], first[3]]
    assert f"ext. {first[6]}" in readable[1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("plan", "--year", "10000"), "use a year from 2000 to 2099"),
        (("plan", "--year", "2026", "--seed", "99999999999"), "--seed must be"),
        (("schedule", "--year", "99999999999"), "use a year from 2000 to 2099"),
    ],
)
def test_out_of_range_numbers_are_refused_with_one_line_not_a_traceback(
    cli: CliRunner, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    refused_in_one_line(cli, tmp_path, args, message)
