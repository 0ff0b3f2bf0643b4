"""A command's audit row commits in the same transaction as the change it records; a command
that changes nothing is still kept in the audit log, and one that fails leaves neither. Every
CSV the command line reads answers a malformed file with one sentence naming the line and exit
code 2: a stray quote, a column named twice, a row wider than its header, blank lines before
the header (read past)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
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


HEADERS = {
    "registry": "tax_id,kind,number,product,expires_on",
    "tax-ids": "tax_id",
    "case": "channel,kind,received_on,subject,description",
    "assessment": "unit,basic,delivery,capacity,evaluation,innovation",
    "staff": "unit,name,extension,inspector",
    "results": "test_id,inspector,rings",
}


def command(kind: str, path: Path, tmp_path: Path) -> list[str]:
    body = tmp_path / "body.txt"
    body.write_text("內容", encoding="utf-8")
    return {
        "registry": ["registry", "import", str(path)],
        "tax-ids": [
            "notice",
            "send",
            "--tax-ids",
            str(path),
            "--title",
            "T",
            "--body-file",
            str(body),
        ],
        "case": ["case", "import", str(path)],
        "assessment": ["assessment", "import", str(path), "--period", "2026-H1"],
        "staff": ["courtesy", "staff", "import", str(path)],
        "results": ["courtesy", "import", str(path)],
    }[kind]


def malformed(kind: str, slip: str) -> str:
    header = HEADERS[kind]
    width = header.count(",") + 1
    row = ",".join(["x"] * width)
    if slip == "stray quote":
        return f'{header}\n{row}\n"{row}\n' + "y" * 200_000 + "\n"
    if slip == "column twice":
        first = header.split(",")[0]
        return f"{header},{first}\n{row},x\n"
    if slip == "row too wide":
        return f"{header}\n{row}\n{row},extra\n"
    assert slip == "blank lines, then a stray quote"
    return f'\n\n{header}\n"{row}\n' + "y" * 200_000 + "\n"


@pytest.mark.parametrize("kind", sorted(HEADERS))
@pytest.mark.parametrize(
    ("slip", "said"),
    [
        ("stray quote", "Line 3 starts a quote"),
        ("column twice", "Line 1 (the header) names the column"),
        ("row too wide", "Line 3 has"),
        ("blank lines, then a stray quote", "Line 4 starts a quote"),
    ],
)
def test_a_malformed_file_is_one_sentence_naming_its_line(
    cli: CliRunner, tmp_path: Path, kind: str, slip: str, said: str
) -> None:
    path = tmp_path / "file.csv"
    path.write_text(malformed(kind, slip), encoding="utf-8")
    result = cli.invoke(app, command(kind, path, tmp_path))
    assert result.exit_code == 2, (result.stdout, result.stderr, result.exception)
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert said in result.stderr
