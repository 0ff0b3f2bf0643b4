"""`bsmi-desk duty list|add|done`: the plan's duties listed on the work calendar, a new duty,
an occurrence done with its file copied under data/duties/, and bad input in one line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli import duty as duty_cli
from storage.db import Database
from storage.models import DutyEvidence, DutyOccurrence
from tests.bot.cli.console import invoke, one_line

TODAY = date(2027, 2, 1)


@pytest.fixture(autouse=True)
def on_the_first_of_february(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(duty_cli, "today", lambda tz: TODAY)


def test_a_duty_added_listed_and_done_with_a_file(
    cli: CliRunner, db: Database, tmp_path: Path
) -> None:
    code, out, _ = invoke(
        cli, "duty", "add", "--title-zh", "電梯檢查", "--title-en", "Lift check",
        "--unit", "sec1", "--every", "monthly", "--day", "8", "--from", "2027-01-01",
    )  # fmt: skip
    assert code == 0 and 'Recurring duty "Lift check" added' in out
    # The seeded duties start on the day the test database was migrated: only ours are
    # looked at.
    code, out, _ = invoke(cli, "duty", "list", "--due-within", "10")
    assert out.splitlines()[0].startswith("Due soon (")
    ours = [line for line in out.splitlines() if "Lift check" in line]
    assert len(ours) == 1 and ours[0].endswith(" 2027-02-03 Lift check (First Section)")
    code, out, _ = invoke(cli, "duty", "list", "--overdue")
    assert out.splitlines()[0].startswith("Overdue (") and "Due soon" not in out
    ours = [line for line in out.splitlines() if "Lift check" in line]
    assert len(ours) == 1 and " 2027-01-08 Lift check" in ours[0]
    overdue_id = ours[0].split()[0].lstrip("#")
    photo = tmp_path / "lift.jpg"
    photo.write_bytes(b"\xff\xd8 lift")
    code, out, _ = invoke(
        cli, "duty", "done", overdue_id, "--on", "116/01/29", "--note", "已檢查",
        "--file", str(photo),
    )  # fmt: skip
    assert code == 0 and "recorded done" in out
    kept = db.call(lambda session: session.exec(select(DutyEvidence)).one())
    assert kept.kind == "file" and kept.file_name == "lift.jpg"
    assert kept.path is not None and (tmp_path / kept.path).read_bytes() == b"\xff\xd8 lift"
    assert kept.path.startswith("data/duties/")
    done = db.call(lambda session: session.get(DutyOccurrence, int(overdue_id)))
    assert done is not None and done.done_on == date(2027, 1, 29)
    assert done.done_by is not None and done.done_by.startswith("cli:")
    code, out, _ = invoke(cli, "duty", "list")
    assert "Done in the last 30 days (1)" in out and ", done 2027-01-29 by cli:" in out
    assert not [line for line in out.split("Due soon")[0].splitlines() if "Lift check" in line]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["duty", "add", "--title-zh", "x", "--title-en", "x", "--unit", "sec9",
          "--every", "monthly", "--day", "8"], 'no unit with the code "sec9"'),
        (["duty", "add", "--title-zh", "x", "--title-en", "x", "--unit", "sec1",
          "--on", "13-01"], '"13-01" is not a date'),
        (["duty", "done", "999", "--on", "2027-01-29", "--note", "x"], "no recurring duty #999"),
        (["duty", "done", "1", "--on", "yesterday", "--note", "x"], '"yesterday" is not a date'),
        (["duty", "done", "1", "--on", "2027-01-29", "--note", "x", "--file", "nope.pdf"],
         "no file nope.pdf"),
    ],
)  # fmt: skip
def test_bad_input_is_one_sentence(cli: CliRunner, args: list[str], says: str) -> None:
    code, _, err = invoke(cli, *args)
    assert says in one_line(code, err)
