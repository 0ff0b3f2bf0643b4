"""A command line typed wrong (a bad number, a bad choice, a missing or unknown option, an
unknown command) is one sentence in the CLI's language on stderr with exit code 2, never
Typer's usage box."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from bot.cli.app import app


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["target", "set", "--year", "abc"],
            "--year: “abc” is not valid (a whole number); see bsmi-desk target set --help.",
        ),
        (
            ["courtesy", "plan", "--year", "2026", "--target", "x"],
            "--target: “x” is not valid (a whole number); see bsmi-desk courtesy plan --help.",
        ),
        (
            ["assessment", "score", "--unit", "sec1"],
            "--period is missing; see bsmi-desk assessment score --help.",
        ),
        (
            ["notice", "status", "7", "--colour"],
            "bsmi-desk notice status has no option --colour; see bsmi-desk notice status --help.",
        ),
    ],
)
def test_a_command_typed_wrong_is_one_sentence_with_exit_2(
    cli: CliRunner, args: list[str], said: str
) -> None:
    result = cli.invoke(app, args)
    assert result.exit_code == 2
    assert result.stderr.strip() == said
    assert "╭" not in result.stderr and "Usage:" not in result.stderr


def test_a_bad_choice_names_the_choices_and_chinese_is_the_default(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEFAULT_LANGUAGE", "zh-TW")
    result = cli.invoke(app, ["target", "set", "--year", "abc"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "--year 的值「abc」不正確（需要整數）；用法請見 bsmi-desk target set --help。"
    )
    result = cli.invoke(app, ["no-such-command"])
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "bsmi-desk --help" in result.stderr
