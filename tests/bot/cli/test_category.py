"""`bsmi-desk category list|add|rename|retire` from a shell: subscribers counted, a taken code
and a second retirement refused in one line, the retired kept in the list."""

from __future__ import annotations

import subprocess
from pathlib import Path

from storage.db import Database
from tests.bot.cli.console import run_cli
from tests.factories import add_firm


def shell(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`bsmi-desk ARGS` on `database_url`, in English."""
    return run_cli(*args, env={"DATABASE_URL": database_url, "DEFAULT_LANGUAGE": "en"}, cwd=cwd)


def test_categories_are_listed_added_renamed_and_retired_from_the_shell(
    tmp_path: Path, db: Database, database_url: str
) -> None:
    db.call(add_firm, telegram_id=901, codes=["metrology"])
    listed = shell("category", "list", database_url=database_url, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert any(
        line.startswith("metrology") and "subscribers=1" in line
        for line in listed.stdout.splitlines()
    )
    added = shell("category", "add", "toys", "--zh", "玩具", "--en", "Toys",
                    database_url=database_url, cwd=tmp_path)  # fmt: skip
    assert added.returncode == 0 and "added toys" in added.stdout
    taken = shell("category", "add", "toys", "--zh", "x", "--en", "y",
                    database_url=database_url, cwd=tmp_path)  # fmt: skip
    assert taken.returncode == 2 and "already exists" in taken.stderr
    renamed = shell("category", "rename", "toys", "--en", "Toys and Games",
                      database_url=database_url, cwd=tmp_path)  # fmt: skip
    assert renamed.returncode == 0 and "玩具 / Toys and Games" in renamed.stdout
    retired = shell("category", "retire", "toys", database_url=database_url, cwd=tmp_path)
    assert retired.returncode == 0
    again = shell("category", "retire", "toys", database_url=database_url, cwd=tmp_path)
    assert again.returncode == 2 and "already retired" in again.stderr
    final = shell("category", "list", database_url=database_url, cwd=tmp_path)
    assert any(
        line.startswith("toys") and "(retired)" in line for line in final.stdout.splitlines()
    )
