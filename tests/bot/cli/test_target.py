"""`bsmi-desk target set|list` from the terminal: a year's targets set in part (the rest fall
back to the plan's, marked), listed, and refused in one line."""

from __future__ import annotations

from typer.testing import CliRunner

from tests.bot.cli.console import invoke, one_line


def test_targets_set_list_and_refused(cli: CliRunner) -> None:
    code, out, _ = invoke(cli, "target", "list")
    assert code == 0 and "No yearly targets are set" in out
    code, out, _ = invoke(cli, "target", "set", "--year", "2027", "--public", "380")
    assert code == 0 and out.strip() == (
        "Targets for 2027: public reports and complaints 380, monitor reports 250 (plan), "
        "courtesy calls 80 (plan). Training sessions 26 (plan)."
    )
    invoke(cli, "target", "set", "--year", "2027", "--monitor", "240", "--courtesy", "90")
    code, out, _ = invoke(cli, "target", "list")
    assert out.strip() == (
        "2027: public reports and complaints 380, monitor reports 240, courtesy calls 90, "
        "training sessions 26 (plan)"
    )
    code, out, _ = invoke(cli, "target", "set", "--year", "2027", "--training", "30")
    assert code == 0 and out.strip().endswith("Training sessions 30.")
    code, _, err = invoke(cli, "target", "set", "--year", "2027")
    assert "at least one target" in one_line(code, err)
    code, _, err = invoke(cli, "target", "set", "--year", "2027", "--public", "0")
    assert "must be a whole number from 1" in one_line(code, err)
