"""The delivery worker outlives its database: a SQLite file locked past the busy timeout, a
PostgreSQL server restarted under it, an error that keeps coming back. It logs the pause once,
backs off, says so in `notice status` and `/notices`, and delivers the next notice."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session

from bot.delivery.worker import DeliveryWorker, worker_for
from bot.notices.status import delivery_pause
from kernel.clock import utcnow
from storage.db import Database
from storage.queries.outbox import due
from tests.bot.delivery.broadcasts import add_subscribers, copies, publish, wait_done
from tests.conftest import ADMIN_ID, TOKEN
from tests.fakes import FakeBotApi
from tests.harness import BotHarness

BUSY_TIMEOUT_MS = 1000
"""This test's SQLite busy timeout (the product's is 30 s): the lock below outlasts it."""


@asynccontextmanager
async def running_worker(db: Database, fake: FakeBotApi) -> AsyncIterator[DeliveryWorker]:
    worker = worker_for(
        db=db,
        token=TOKEN,
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        rate=50,
        default_language="en",
        lease=timedelta(seconds=3),
    )
    async with worker.bot:
        worker.start()
        try:
            yield worker
        finally:
            await worker.stop()


def pause_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        r
        for r in caplog.records
        if r.name.startswith("bot.delivery") and r.levelno >= logging.WARNING
    ]


async def deliver_after_outage(db: Database, fake: FakeBotApi, chats: list[int]) -> None:
    """A notice published after the outage reaches all ten subscribers, once each."""
    notice_id = publish(db, "After the outage")
    status = await wait_done(db, notice_id, timeout=60)
    assert status.counts["sent"] == len(chats)
    assert all(copies(fake, chat, "After the outage") == 1 for chat in chats)


def a_sqlite_database(directory: Path) -> Database:
    db = Database(f"sqlite:///{directory / 'locked.sqlite3'}")

    @event.listens_for(db.engine, "connect")
    def _short_busy_timeout(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")

    db.upgrade()
    return db


async def test_the_worker_outlives_a_sqlite_lock_held_past_the_busy_timeout(
    tmp_path: Path, fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    db = a_sqlite_database(tmp_path)
    chats = list(range(7000, 7010))
    add_subscribers(db, chats)
    try:
        async with running_worker(db, fake_api):
            await wait_done(db, publish(db, "Before the outage"))
            holder = sqlite3.connect(tmp_path / "locked.sqlite3", isolation_level=None)
            holder.execute("BEGIN EXCLUSIVE")
            try:
                deadline = time.monotonic() + 30
                while not pause_records(caplog):  # the worker ran into the lock and said so
                    assert time.monotonic() < deadline, "the worker never reported the lock"
                    await asyncio.sleep(0.1)
                await asyncio.sleep(4 * BUSY_TIMEOUT_MS / 1000)  # the outage goes on a while
            finally:
                holder.execute("ROLLBACK")
                holder.close()
            await deliver_after_outage(db, fake_api, chats)
            assert db.call(delivery_pause, now=utcnow()) is None
    finally:
        db.dispose()
    paused = pause_records(caplog)
    assert len(paused) == 1, [r.getMessage() for r in paused]  # once, not every second
    assert "database is locked" in paused[0].getMessage()
    assert any("delivery resumed" in r.getMessage() for r in caplog.records)


def postgres_binaries() -> Path | None:
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    return next((p for p in reversed(versions) if (p / "initdb").exists()), None)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A throw-away PostgreSQL cluster on 127.0.0.1, run as the unprivileged `postgres` user
    when the tests run as root (as `.ci/run` does)."""

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.port = free_port()
        self.data = Path(tempfile.mkdtemp(prefix="bsmi-pg-restart-"))
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.data, "postgres")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.binaries / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data} -c fsync=off"
        log = str(self.data / "log")
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self) -> None:
        with_server = (self.data / "postmaster.pid").exists()
        if with_server:
            self.stop("immediate")
        shutil.rmtree(self.data, ignore_errors=True)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A PostgreSQL server of this test's own; skipped without the binaries, except in CI."""
    binaries = postgres_binaries()
    reason = None
    if binaries is None:
        reason = "PostgreSQL binaries (initdb, pg_ctl) are not installed"
    elif os.geteuid() == 0 and shutil.which("runuser") is None:
        reason = "running as root without runuser to start PostgreSQL as its own user"
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set, so the PostgreSQL restart test must run: {reason}")
        pytest.skip(reason)
    assert binaries is not None
    server = Cluster(binaries)
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.remove()


async def test_the_worker_outlives_a_postgresql_restart(
    cluster: Cluster, fake_api: FakeBotApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    db = Database(cluster.url)
    db.upgrade()
    chats = list(range(7100, 7110))
    add_subscribers(db, chats)
    try:
        async with running_worker(db, fake_api):
            await wait_done(db, publish(db, "Before the restart"))
            await asyncio.to_thread(cluster.stop)
            await asyncio.sleep(4)  # the server is down for four seconds
            await asyncio.to_thread(cluster.start)
            await deliver_after_outage(db, fake_api, chats)
    finally:
        db.dispose()
    paused = pause_records(caplog)
    assert 1 <= len(paused) <= 3, [r.getMessage() for r in paused]  # no flood
    assert any("delivery resumed" in r.getMessage() for r in caplog.records)


async def test_an_error_that_keeps_coming_back_pauses_delivery_and_says_since_when(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await bot.say(7201, "/start sub-cns", language_code="en")
    fetch = due.fetch_due_deliveries
    failures = 0

    def broken(session: Session, **kwargs: Any) -> list[due.DueDelivery]:
        nonlocal failures
        failures += 1
        raise RuntimeError("disk I/O error")

    before = utcnow()
    monkeypatch.setattr(due, "fetch_due_deliveries", broken)
    # wake the worker as a commit with outbox rows would: an idle worker otherwise looks again
    # only after its idle poll (30 s on PostgreSQL), as long as this wait
    for wake in list(bot.db.on_outbox_commit):
        wake()
    deadline = time.monotonic() + 30
    while (pause := bot.db.call(delivery_pause, now=utcnow())) is None:
        assert time.monotonic() < deadline, "the pause was never recorded"
        await asyncio.sleep(0.1)
    assert pause.since >= before and pause.reason == "RuntimeError: disk I/O error"
    listing = await bot.say(ADMIN_ID, "/notices", language_code="en")
    assert "Delivery is paused by an error since" in listing
    assert "RuntimeError: disk I/O error" in listing
    notice_id = publish(bot.db, "Held back")
    deadline = time.monotonic() + 30
    while failures < 3:  # it keeps trying, with backoff
        assert time.monotonic() < deadline, failures
        await asyncio.sleep(0.1)
    monkeypatch.setattr(due, "fetch_due_deliveries", fetch)
    await wait_done(bot.db, notice_id, timeout=60)
    assert bot.db.call(delivery_pause, now=utcnow()) is None
    assert copies(bot.fake, 7201, "Held back") == 1
    paused = [r for r in pause_records(caplog) if "disk I/O error" in r.getMessage()]
    assert len(paused) == 1  # it tried again and again, and said it once
