"""Transactions on the engine: a read never waits for a writer on SQLite, a PostgreSQL
connection is pinged only after a rest (a dead one is replaced), never before every use, and
mypy checks the arguments of every database call against the function it runs."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from mypy import api as mypy_api
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

import storage.db
from storage.db import Database
from storage.models import Category
from tests.statements import recorded_statements


def category_codes(session: Session) -> list[str]:
    return list(session.exec(select(Category.code)).all())


def backend_pid(session: Session) -> int:
    return int(session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_read_does_not_wait_for_a_transaction_that_writes(db: Database) -> None:
    finished = threading.Event()
    found: list[list[str]] = []

    def read() -> None:
        found.append(db.read(category_codes))
        finished.set()

    with db.transaction() as session:
        session.add(Category(code="zz", name_zh="測試", name_en="Test", sort_order=99))
        session.flush()  # the writer holds its lock (SQLite: BEGIN IMMEDIATE) until commit
        reader = threading.Thread(target=read)
        reader.start()
        assert finished.wait(timeout=10), "the read waited for the writer"
    reader.join()
    assert found and "zz" not in found[0]  # it saw the last committed state


def test_a_read_takes_no_write_lock_on_sqlite(db: Database) -> None:
    with recorded_statements(db.engine) as seen:
        db.read(category_codes)
        db.call(category_codes)
    begins = [s for s in seen if s.startswith("BEGIN")]
    if db.backend == "sqlite":
        assert begins == ["BEGIN", "BEGIN IMMEDIATE"]
    else:
        assert begins == []  # psycopg begins implicitly


def test_a_connection_is_pinged_only_after_a_rest_and_replaced_when_dead(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.backend != "postgresql":
        pytest.skip("SQLite opens no network connection to ping")
    with recorded_statements(db.engine) as seen:
        db.call(category_codes)
        db.call(category_codes)
    assert not [s for s in seen if s.strip() in ("SELECT 1", ";", "")]

    pid = db.read(backend_pid)
    admin = create_engine(
        make_url(db.url).set(database="postgres", drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()
    time.sleep(0.2)
    monkeypatch.setattr(storage.db, "PING_AFTER_IDLE", 0.0)
    assert "cns" in db.read(category_codes)  # the ping found it dead; a new one answered


PLANTED = """\
from sqlmodel import Session
from storage.db import Database

def count(session: Session, *, limit: int) -> int:
    return limit

def keyword_session(*, session: Session, limit: int) -> int:
    return limit

async def calls(db: Database) -> None:
    db.call(count, limit=1)
    await db.run_read(count, limit=2)
    db.call(count, limits=1)  # expect: call-arg
    db.read(count, limit="1")  # expect: arg-type
    await db.run(count)  # expect: call-arg
    db.call(keyword_session, limit=1)  # expect: arg-type call-arg
"""
"""A correct call, then wrong ones: a misspelt keyword, a wrong type, a missing argument, and a
function whose session is keyword-only (the database passes it first, by position)."""


def test_mypy_checks_a_database_call_against_the_function_it_runs(tmp_path: Path) -> None:
    planted = tmp_path / "planted.py"
    planted.write_text(PLANTED)
    expected = sorted(
        (number, code)
        for number, line in enumerate(PLANTED.splitlines(), start=1)
        if "# expect:" in line
        for code in line.split("# expect:")[1].split()
    )
    # Only storage/db.py and the planted file are analysed (the libraries count as Any): a few
    # seconds, where following every import takes a minute.
    out, _err, status = mypy_api.run(
        ["--no-incremental", "--follow-imports=skip", "--cache-dir=/dev/null"]
        + ["--python-version=3.11", "--no-error-summary", "--config-file="]
        + [str(Path(storage.db.__file__)), str(planted)]
    )
    found = sorted(
        (int(line.split(":")[1]), line.rsplit("[", 1)[1].rstrip("]"))
        for line in out.splitlines()
        if ": error:" in line
    )
    assert status == 1 and len(expected) == 5
    assert found == expected, out
