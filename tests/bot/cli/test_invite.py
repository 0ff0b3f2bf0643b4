"""`bsmi-desk invite ROLE` from the shell: a join link printed and stored, an unknown role one
sentence naming the roles, and the command kept in the audit log."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from storage.db import Database
from storage.models import AuditEntry, Invite
from tests.bot.cli.console import run_cli


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
