"""Transactions on the engine: a read never waits for a writer on SQLite, a held read is
continued by the next call of its task or ended when the task first waits, a PostgreSQL
connection is pinged only after a rest (a dead one is replaced), never before every use, and
mypy checks the arguments of every database call against the function it runs."""

from __future__ import annotations

import asyncio
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from mypy import api as mypy_api
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

import storage.db
from storage.db import Database
from storage.models import Category
from tests.statements import begun_transactions, recorded_statements


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


def add_category(session: Session, *, code: str, fail: bool = False) -> None:
    session.add(Category(code=code, name_zh="測試", name_en="Test", sort_order=99))
    session.flush()
    if fail:
        raise RuntimeError("after the insert")


async def no_connection_in_use(db: Database) -> None:
    """Wait until every connection is back in the pool (a release runs in a thread)."""
    deadline = time.monotonic() + 10
    while db.engine.pool.checkedout():  # type: ignore[attr-defined]
        assert time.monotonic() < deadline, "a transaction was left open"
        await asyncio.sleep(0.01)


async def test_a_held_read_is_continued_by_the_next_read_of_its_task(db: Database) -> None:
    with begun_transactions(db.engine) as begun:
        first = await db.run_read_held(category_codes)
        second = await db.run_read(category_codes)
    assert "cns" in first and second == first
    assert begun == ["read"]
    await no_connection_in_use(db)


async def test_a_held_read_nobody_takes_ends_as_soon_as_its_task_waits(db: Database) -> None:
    with begun_transactions(db.engine) as begun:
        await db.run_read_held(category_codes)
        await asyncio.sleep(0)  # the task waits on something else: the read is released
        await no_connection_in_use(db)
        await db.run_read(category_codes)
    assert begun == ["read", "read"]


async def test_a_write_continues_a_held_read_on_postgresql_and_begins_immediate_on_sqlite(
    db: Database,
) -> None:
    with recorded_statements(db.engine) as seen, begun_transactions(db.engine) as begun:
        await db.run_read_held(category_codes)
        await db.run(add_category, code="zz")
    if db.backend == "sqlite":
        assert begun == ["read", "write"]
        assert [s for s in seen if s.startswith("BEGIN")] == ["BEGIN", "BEGIN IMMEDIATE"]
    else:
        assert begun == ["read"]
    assert "zz" in db.read(category_codes)
    await no_connection_in_use(db)


async def test_a_call_that_fails_in_a_held_read_rolls_its_writes_back(db: Database) -> None:
    await db.run_read_held(category_codes)
    with pytest.raises(RuntimeError):
        await db.run(add_category, code="zz", fail=True)
    assert "zz" not in db.read(category_codes)
    await no_connection_in_use(db)


async def test_a_held_read_cancelled_before_it_finished_is_ended_by_its_thread(
    db: Database,
) -> None:
    started, go_on = threading.Event(), threading.Event()

    def slow_read(session: Session) -> list[str]:
        started.set()
        go_on.wait(timeout=10)
        return category_codes(session)

    task = asyncio.create_task(db.run_read_held(slow_read))
    assert await asyncio.to_thread(started.wait, 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    go_on.set()
    await no_connection_in_use(db)


async def test_a_burst_of_updates_larger_than_the_pool_holds_no_more_reads_than_it_can_serve(
    db: Database,
) -> None:
    """Forty updates at once, two threads: each reads its person held open, then writes. Were
    every held read to keep its connection while its task waited for a thread, the pool's
    fifteen connections would all be held and both threads would wait for a sixteenth until
    the pool's 30 s timeout (what fifty petitioners filing at once met)."""
    loop = asyncio.get_running_loop()
    executor = ThreadPoolExecutor(max_workers=2)
    loop.set_default_executor(executor)

    async def update(n: int) -> None:
        await db.run_read_held(category_codes)
        await db.run(add_category, code=f"burst{n}")

    try:
        await asyncio.wait_for(asyncio.gather(*(update(n) for n in range(40))), timeout=20)
    finally:
        executor.shutdown(wait=False)
    assert len([c for c in db.read(category_codes) if c.startswith("burst")]) == 40
    await no_connection_in_use(db)


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
