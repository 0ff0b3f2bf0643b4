"""Many rows at once: `chunks` keeps a statement's IN list short, `bulk_insert` is the one way
the query modules insert many rows (an import's certificates, reminders and cases, a notice's
統一編號)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert
from sqlmodel import Session

CHUNK = 500
"""Ids a statement's IN list: well under SQLite's and PostgreSQL's parameter limits."""


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    """`values` in consecutive slices of at most `size`."""
    for start in range(0, len(values), size):
        yield values[start : start + size]


def bulk_insert(session: Session, *, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows (dicts with the same keys) in executemany batches, each value put
    through its column's bind processor once per distinct value rather than once per row.

    An import writes hundreds of thousands of rows whose dates and times repeat (a few
    thousand distinct expiry days); SQLAlchemy's per-row processing of them was most of the
    import's time. The statement is compiled for the connection's dialect, so it is the same
    SQL on SQLite and PostgreSQL. Column defaults are not applied: each row gives every
    column that needs a value."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0].keys())
    compiled = insert(table).values({n: bindparam(n) for n in names}).compile(dialect=dialect)
    processors = {n: table.c[n].type.bind_processor(dialect) for n in names}
    memo: dict[str, dict[Any, Any]] = {n: {} for n in names}

    def value(name: str, raw: Any) -> Any:
        process = processors[name]
        if process is None or raw is None:
            return raw
        seen = memo[name]
        if raw not in seen:
            seen[raw] = process(raw)
        return seen[raw]

    order = compiled.positiontup if compiled.positional else None
    for chunk in chunks(rows, 5000):
        if order is not None:
            params: list[Any] = [tuple(value(n, row[n]) for n in order) for row in chunk]
        else:
            params = [{n: value(n, row[n]) for n in names} for row in chunk]
        connection.exec_driver_sql(str(compiled), params)
