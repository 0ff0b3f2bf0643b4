"""The SQL a piece of code sends, as seen by the engine: to show that a read writes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event

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
