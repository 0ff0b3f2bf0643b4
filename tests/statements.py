"""The SQL a piece of code sends and the transactions it begins, as seen by the engine: to show
that a read writes nothing and how many transactions a piece of work takes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

from storage.db import READ_ONLY

WRITES = ("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE")
"""Statements that change rows, and SQLite's BEGIN of a writing transaction (its write lock)."""


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[str]]:
    """Every statement `engine` executes inside the block, in order."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def writes(statements: list[str]) -> list[str]:
    """The statements among `statements` that write (or take SQLite's write lock)."""
    return [s for s in statements if s.lstrip().upper().startswith(WRITES)]


@contextmanager
def begun_transactions(engine: Engine) -> Iterator[list[str]]:
    """One entry per transaction `engine` begins inside the block, in order: "read" for one
    begun by `Database.reading` (on SQLite a deferred BEGIN), "write" otherwise (SQLite's
    BEGIN IMMEDIATE); the same on PostgreSQL, whose BEGIN the driver sends implicitly."""
    begun: list[str] = []

    def record(conn: Any) -> None:
        begun.append("read" if conn.get_execution_options().get(READ_ONLY) else "write")

    event.listen(engine, "begin", record)
    try:
        yield begun
    finally:
        event.remove(engine, "begin", record)
