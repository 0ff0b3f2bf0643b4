"""A command's audit row commits in the same transaction as the change it records; a command
that changes nothing is still kept in the audit log, and one that fails leaves neither."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session, select
from typer.testing import CliRunner

from bot.cli import category as category_cli
from bot.cli.app import app
from kernel.errors import UserError
from storage.db import Database
from storage.models import AuditEntry, Category


@contextmanager
def every_engines_sql() -> Iterator[list[str]]:
    """The statements and commits of every engine (the command makes its own), in order."""
    seen: list[str] = []

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        seen.append(sql.lstrip().split("(")[0].strip())

    def commit(_conn: Any) -> None:
        seen.append("COMMIT")

    event.listen(Engine, "before_cursor_execute", statement)
    event.listen(Engine, "commit", commit)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", statement)
        event.remove(Engine, "commit", commit)


def audit_actions(database_url: str) -> list[str]:
    db = Database(database_url)
    try:
        with db.reading() as session:
            return [e.action for e in session.exec(select(AuditEntry)).all()]
    finally:
        db.dispose()


def test_a_commands_change_and_its_audit_row_commit_together(
    cli: CliRunner, database_url: str
) -> None:
    with every_engines_sql() as seen:
        result = cli.invoke(app, ["category", "add", "toys", "--zh", "玩具", "--en", "Toys"])
    assert result.exit_code == 0, result.output
    change = next(i for i, s in enumerate(seen) if s.startswith("INSERT INTO category"))
    audit = next(i for i, s in enumerate(seen) if s.startswith("INSERT INTO auditentry"))
    commits = [i for i, s in enumerate(seen) if s == "COMMIT"]
    assert change < audit < next(i for i in commits if i > change)  # no commit between them
    assert audit_actions(database_url) == ["cli.add"]


def test_a_command_that_changes_nothing_is_audited_on_its_own(
    cli: CliRunner, database_url: str
) -> None:
    result = cli.invoke(app, ["category", "list"])
    assert result.exit_code == 0, result.output
    assert audit_actions(database_url) == ["cli.list_categories"]


def test_a_command_that_fails_after_its_change_leaves_neither_change_nor_audit_row(
    cli: CliRunner, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def add_then_refuse(session: Session, *, code: str, name_zh: str, name_en: str) -> None:
        session.add(Category(code=code, name_zh=name_zh, name_en=name_en, sort_order=99))
        session.flush()
        raise UserError("notices.names_needed")

    monkeypatch.setattr(category_cli, "create_category", add_then_refuse)
    result = cli.invoke(app, ["category", "add", "toys", "--zh", "玩具", "--en", "Toys"])
    assert result.exit_code == 2
    assert audit_actions(database_url) == []
    db = Database(database_url)
    with db.reading() as session:
        assert session.exec(select(Category).where(Category.code == "toys")).first() is None
    db.dispose()
