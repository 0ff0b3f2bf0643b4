"""`bsmi-desk courtesy actions` and `action`: the open actions listed, a step refused with what
it lacks (changing nothing), a close with a written verification, and a name too long refused
in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from storage.db import Database
from storage.models import ActionStatus, CourtesyResult
from storage.queries.courtesy import fetch_actions
from tests.bot.cli.courtesy.commands import (
    business_call,
    plan,
    record_unanswered,
    refused_in_one_line,
)
from tests.factories import run_courtesy


def test_an_action_closes_from_the_command_line_with_a_written_verification(
    cli: CliRunner, tmp_path: Path, database_url: str
) -> None:
    plan(cli, tmp_path)
    record_unanswered(cli, business_call(database_url).code)
    assert "#1 open" in run_courtesy(cli, "actions", "--open")[1]
    code, _, err = run_courtesy(cli, "action", "1", "--to", "closed")
    assert code == 2 and "still lacks: cause, plan, owner, due" in err
    fields = ["--cause", "c", "--plan", "p", "--owner", "o"]
    fields += ["--due", "2026-06-30", "--done", "2026-06-01"]
    code, _, err = run_courtesy(cli, "action", "1", *fields, "--to", "closed")
    assert code == 2 and "no passing retest" in err
    # The refused command changed nothing: the fields go in again with the verification.
    code, out, _ = run_courtesy(
        cli,
        "action",
        "1",
        *fields,
        "--verification",
        "checked by phone",
        "--verified-by",
        "Chief",
        "--to",
        "closed",
    )
    assert code == 0 and "is now: closed" in out
    db = Database(database_url)
    with db.transaction() as session:
        assert fetch_actions(session=session)[0].status == ActionStatus.CLOSED.value
        assert session.get(CourtesyResult, 1) is not None
    db.dispose()


def test_a_too_long_owner_or_supervisor_name_is_refused_with_one_line(
    cli: CliRunner, tmp_path: Path, database_url: str
) -> None:
    plan(cli, tmp_path)
    view = business_call(database_url)
    items = ["speed=25", "unit_name=8", "greeting=6", "surname=6"]
    items += ["tone=5", "accuracy=5", "handling=0", "closing=5"]
    args = [f"--item={i}" for i in items]
    assert (
        "corrective and preventive action #1" in run_courtesy(cli, "record", view.code, *args)[1]
    )
    code, _, err = run_courtesy(cli, "action", "1", "--owner", "x" * 65)
    assert code == 2 and err.strip() == "--owner takes at most 64 characters."
    code, _, err = run_courtesy(cli, "action", "1", "--verified-by", "y" * 65)
    assert code == 2 and err.strip() == "--verified-by takes at most 64 characters."
    assert run_courtesy(cli, "action", "1", "--owner", "x" * 64)[0] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("action", "99999999999", "--to", "closed"),
            "no corrective and preventive action #99999999999",
        ),
    ],
)
def test_out_of_range_numbers_are_refused_with_one_line_not_a_traceback(
    cli: CliRunner, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    refused_in_one_line(cli, tmp_path, args, message)
