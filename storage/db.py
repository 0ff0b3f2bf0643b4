"""Engine, sessions and migrations for SQLite (WAL, foreign keys on) and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import psycopg
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import ConnectionPoolEntry, NullPool
from sqlmodel import Session

logger = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")
MIGRATIONS_DIR = Path(__file__).parent / "migrations"

READ_ONLY = "bsmi_read_only"
"""Execution option of `Database.read`: on SQLite its BEGIN is deferred (no write lock)."""
PING_AFTER_IDLE = 30.0
"""Seconds a pooled PostgreSQL connection may rest before its next use is preceded by a ping.
A ping is a transaction of its own in PostgreSQL's count: pinging every checkout (SQLAlchemy's
`pool_pre_ping`) doubled the transactions of each update."""


def make_engine(url: str, *, pool_size: int = 5) -> Engine:
    """An engine for `url`; SQLite files get WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=NullPool if database in ("", ":memory:") else None,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # A writer takes the write lock at BEGIN so two writers never deadlock on upgrade;
            # a read begins deferred and never queues behind a writer (WAL).
            read_only = conn.get_execution_options().get(READ_ONLY, False)
            conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite's own is off).
        @event.listens_for(engine, "connect", insert=True)
        def _sqlite_autocommit_off(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    engine = create_engine(parsed, pool_size=pool_size, max_overflow=10)
    event.listen(engine, "checkin", _note_rest)
    event.listen(engine, "checkout", _ping_after_rest)
    return engine


def _note_rest(_dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    record.info["rested_since"] = time.monotonic()


def _ping_after_rest(dbapi_connection: Any, record: ConnectionPoolEntry, _proxy: Any) -> None:
    """Ping a connection that rested PING_AFTER_IDLE seconds or more (a server restart or a
    dropped link shows there); a dead one is replaced, as with `pool_pre_ping`."""
    rested_since = record.info.get("rested_since")
    if rested_since is None or time.monotonic() - rested_since < PING_AFTER_IDLE:
        return
    try:
        with dbapi_connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        dbapi_connection.rollback()
    except Exception as error:
        logger.info("a pooled connection did not answer its ping: %s", error)
        raise exc.DisconnectionError() from error


def _end(session: Session, *, commit: bool) -> None:
    """End `session`'s transaction (a read: nothing to tell anyone) and close it."""
    with session:
        if commit:
            session.commit()
        else:
            session.rollback()


def alembic_config(engine: Engine) -> Config:
    """An Alembic config that runs this package's migrations on `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Apply every pending migration (all heads)."""
    command.upgrade(alembic_config(engine), "heads")


LISTEN_TICK = 1.0
"""How often a listener looks whether it was asked to stop (no query: a wait on its socket)."""

OUTBOX_WRITTEN = "outbox_written"
"""`session.info` flag of a transaction that wrote outbox rows (`storage.queries.outbox`):
once it commits, the database calls its `on_outbox_commit` listeners (the delivery worker)."""


class _HeldRead:
    """A read transaction left open by `Database.run_read_held` for the next call of its task.

    Whoever comes first takes it: the next `run`/`run_read` of the task (which continues it),
    or the release `run_read_held` schedules for the task's next wait (which ends it); the
    thread that ran the read ends it itself when the release came before the read finished."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._session: Session | None = None
        self._closed = False
        self._lock = threading.Lock()

    def keep(self, session: Session) -> bool:
        """Hold `session` (from the reading thread); False when it is too late for that."""
        with self._lock:
            if self._closed:
                return False
            self._session = session
            return True

    def take(self) -> Session | None:
        """The held session, once: after this nothing more is held."""
        with self._lock:
            self._closed = True
            session, self._session = self._session, None
            return session


_held_read: ContextVar[_HeldRead | None] = ContextVar("storage_db_held_read", default=None)


class Database:
    """One engine and the transactions on it; the caller owns one transaction per unit of work."""

    def __init__(self, url: str, *, pool_size: int = 5) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size)
        self.on_outbox_commit: list[Callable[[], None]] = []
        """Called (from the committing thread) after a transaction that wrote outbox rows."""
        self._releases: set[asyncio.Task[None]] = set()
        self._hold_slots = threading.BoundedSemaphore(pool_size)
        """At most `pool_size` reads held open at once. A held read keeps its connection while
        its task waits for a thread to continue it: were every connection held so and every
        thread waiting for a connection, nothing would move until the pool's timeout (50
        petitioners filing at once did exactly that). Past the limit a read just ends."""

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def upgrade(self) -> None:
        upgrade(self.engine)

    def _session(self, *, read_only: bool) -> Session:
        engine = self.engine.execution_options(**{READ_ONLY: True}) if read_only else self.engine
        return Session(engine, expire_on_commit=False)

    @contextmanager
    def _committing(self, session: Session) -> Iterator[Session]:
        """`session` committed on success (then the outbox listeners told, if it wrote outbox
        rows) or rolled back on any error, and closed."""
        with session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            if session.info.pop(OUTBOX_WRITTEN, False):
                for listener in list(self.on_outbox_commit):
                    listener()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session for reads only: on SQLite it begins deferred, so it never waits for a
        writer. Ended by a commit, which keeps what it loaded usable after the session."""
        with self._committing(self._session(read_only=True)) as session:
            yield session

    def read(
        self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `fn(session, *args, **kwargs)`, which only reads, in one read transaction."""
        with self.reading() as session:
            return fn(session, *args, **kwargs)

    async def run_read(
        self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`read` in a worker thread, so the event loop never waits on the database; it
        continues the read `run_read_held` left open, if any."""
        held = self._take_held()
        if held is not None:
            return await asyncio.to_thread(self._continue, held, fn, *args, **kwargs)
        return await asyncio.to_thread(self.read, fn, *args, **kwargs)

    async def run_read_held(
        self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`run_read`, leaving its transaction open for the next `run` or `run_read` of the
        same task, if that comes before the task first waits on anything else: a chat
        update's person and the update's own work are then one transaction (except a write on
        SQLite, which ends the read and begins IMMEDIATE). A transaction nobody took is
        committed as soon as the task waits, so it is never held across a network call."""
        held = _HeldRead(self)
        _held_read.set(held)
        try:
            return await asyncio.to_thread(self._read_and_keep, held, fn, *args, **kwargs)
        finally:
            asyncio.get_running_loop().call_soon(self._release, held)

    def _read_and_keep(
        self,
        held: _HeldRead,
        fn: Callable[Concatenate[Session, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        session = self._session(read_only=True)
        try:
            result = fn(session, *args, **kwargs)
        except BaseException:
            _end(session, commit=False)
            raise
        if self._hold_slots.acquire(blocking=False):
            if held.keep(session):
                return result  # the slot goes with the session, freed when it ends
            self._hold_slots.release()
        _end(session, commit=True)
        return result

    def _end_held(self, session: Session) -> None:
        """End a held read nobody continued, and free its slot."""
        try:
            _end(session, commit=True)
        finally:
            self._hold_slots.release()

    def _take_held(self) -> Session | None:
        held = _held_read.get()
        return held.take() if held is not None and held.db is self else None

    def _release(self, held: _HeldRead) -> None:
        session = held.take()
        if session is not None:
            task = asyncio.get_running_loop().create_task(
                asyncio.to_thread(self._end_held, session)
            )
            self._releases.add(task)
            task.add_done_callback(self._releases.discard)

    def _continue(
        self,
        session: Session,
        fn: Callable[Concatenate[Session, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Continue the held read `session` with `fn`, then free its slot."""
        try:
            with self._committing(session):
                return fn(session, *args, **kwargs)
        finally:
            self._hold_slots.release()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any error."""
        with self._committing(self._session(read_only=False)) as session:
            yield session

    def call(
        self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Run `fn(session, *args, **kwargs)` in one transaction. `fn` takes the session as its
        first parameter, so mypy checks the other arguments against `fn`'s signature."""
        with self.transaction() as session:
            return fn(session, *args, **kwargs)

    async def run(
        self, fn: Callable[Concatenate[Session, P], T], /, *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`call` in a worker thread, so the event loop never waits on the database; on
        PostgreSQL it continues the read `run_read_held` left open, if any (on SQLite that
        read ends first: a writing transaction begins IMMEDIATE)."""
        held = self._take_held()
        if held is not None:
            return await asyncio.to_thread(self._continue_writing, held, fn, *args, **kwargs)
        return await asyncio.to_thread(self.call, fn, *args, **kwargs)

    def _continue_writing(
        self,
        session: Session,
        fn: Callable[Concatenate[Session, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        if self.backend == "sqlite":
            self._end_held(session)
            return self.call(fn, *args, **kwargs)
        return self._continue(session, fn, *args, **kwargs)

    def dispose(self) -> None:
        self.engine.dispose()

    def listen(self, channel: str, on_notify: Callable[[], None], stop: threading.Event) -> None:
        """PostgreSQL: call `on_notify` for every NOTIFY on `channel` until `stop` is set
        (blocking: run it in a thread). It listens on a connection of its own, outside any
        transaction, so an idle listener costs the database nothing; after each (re)connection
        it calls `on_notify` once, for what was written while it was not listening."""
        conninfo = self.engine.url.set(drivername="postgresql").render_as_string(
            hide_password=False
        )
        failures = 0
        while not stop.is_set():
            try:
                with psycopg.connect(conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {channel}")
                    failures = 0
                    on_notify()
                    while not stop.is_set():
                        for _ in conn.notifies(timeout=LISTEN_TICK, stop_after=1):
                            on_notify()
            except psycopg.Error as exc:
                failures += 1
                if failures == 1:
                    logger.warning("not listening for outbox writes (%s); polling meanwhile", exc)
                stop.wait(min(30.0, 2.0 * failures))
