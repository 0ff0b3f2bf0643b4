"""The console script: clear one-line failures, migrations applied, invites from the shell."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select

from storage.db import Database
from storage.models import AuditEntry, Invite


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    base.pop("ADMIN_TELEGRAM_IDS", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "ADMIN_TELEGRAM_IDS": "7,seven"}, "ADMIN_TELEGRAM_IDS"),
        ({"TELEGRAM_BOT_TOKEN": "1:x", "WEBHOOK_URL": "https://h.example/x"}, "WEBHOOK_SECRET"),
    ],
)
def test_run_refuses_bad_configuration_with_one_line_and_no_traceback(
    tmp_path: Path, database_url: str, env: dict[str, str], expected: str
) -> None:
    result = run_cli("run", env={"DATABASE_URL": database_url, **env}, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr + result.stdout


def test_run_without_a_token_tells_where_to_put_it(tmp_path: Path, database_url: str) -> None:
    result = run_cli("run", env={"DATABASE_URL": database_url}, cwd=tmp_path)
    assert "@BotFather" in result.stderr and ".env" in result.stderr


def test_db_upgrade_works_on_a_fresh_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = run_cli("db", "upgrade", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout


def test_invite_from_the_shell_prints_a_join_link_and_stores_it(
    tmp_path: Path, database_url: str
) -> None:
    result = run_cli(
        "invite", "inspector", "--unit", "sec3", env={"DATABASE_URL": database_url}, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    code = result.stdout.split("join-")[1].split()[0]
    db = Database(database_url)
    invite = db.call(lambda session: session.exec(select(Invite).where(Invite.code == code)).one())
    db.dispose()
    assert invite.role == "inspector" and invite.unit_id is not None


def test_invite_with_an_unknown_role_is_one_clear_line(tmp_path: Path, database_url: str) -> None:
    result = run_cli(
        "invite",
        "boss",
        env={"DATABASE_URL": database_url, "DEFAULT_LANGUAGE": "en"},
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "“boss” is not a role; roles are: admin, secretariat, inspector, monitor."
    )


def test_command_line_actions_are_kept_in_the_audit_log(tmp_path: Path, database_url: str) -> None:
    result = run_cli("invite", "monitor", env={"DATABASE_URL": database_url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    db = Database(database_url)
    entries = db.call(lambda session: session.exec(select(AuditEntry)).all())
    db.dispose()
    assert [(e.action, e.allowed) for e in entries] == [("cli.invite", True)]
    assert '"role": "monitor"' in (entries[0].detail or "")
