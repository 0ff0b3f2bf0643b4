"""One road for messages (issue 19): how soon the outbox sends, and what an idle bot costs.

Against a loopback fake Bot API in its own process that answers each send after ~100 ms:

1. First copy of a case message after its commit: a petitioner's final reply written by a use
   case (the delivery worker running), measured from the commit's return to the moment the fake
   recorded the send (which includes its 100 ms answer delay); written by this process (woken
   in process) and by another connection pool with no listener of the worker's (woken only by
   PostgreSQL's NOTIFY: what a second process, e.g. the CLI, does), on SQLite and PostgreSQL.
2. First copy of a broadcast after release: a notice to 1,000 subscribers published (and so
   released) now, from the commit to the first send.
3. Idle transactions per second on PostgreSQL: the whole application as `bsmi-desk run` builds
   it (delivery worker, reminder loops, polling the fake), left idle; `xact_commit` of its
   database in `pg_stat_database`, read from another database, over the window (autovacuum's
   visits count there too), and the application's own: the transactions its engine began and
   the connections it took from its pool (a pool's ping runs in the transaction that follows
   it), counted by SQLAlchemy's events in this process.

    .venv/bin/python bench/outbox.py [--quick]     # PostgreSQL parts need DATABASE_URL

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, event, insert, select, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.application import build_application  # noqa: E402
from bot.delivery.worker import worker_for  # noqa: E402
from bot.notices.publishing import publish  # noqa: E402
from bot.settings import Settings  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Category, Person, Role, Subscription  # noqa: E402
from tests.factories import do, file_on, person  # noqa: E402
from tests.fakes import FakeBotApiProcess  # noqa: E402

TOKEN = "123456:BENCH-fake-token-abcdefghijklmnop"
SECRETARY = 6_000_001
REPORTERS = 6_100_000
SUBSCRIBERS = 7_000_000


@contextmanager
def database(kind: str, directory: Path) -> Iterator[Database]:
    """A fresh migrated database: a SQLite file, or a new PostgreSQL database."""
    if kind == "sqlite":
        db = Database(f"sqlite:///{directory / f'outbox-{uuid.uuid4().hex[:6]}.sqlite3'}")
        db.upgrade()
        try:
            yield db
        finally:
            db.dispose()
        return
    base = make_url(os.environ["DATABASE_URL"]).set(drivername="postgresql+psycopg")
    name = f"bsmi_outbox_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db = Database(base.set(database=name).render_as_string(hide_password=False))
    db.upgrade()
    try:
        yield db
    finally:
        db.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def assigned_cases(db: Database, count: int) -> list[tuple[str, int]]:
    """`count` cases, each of its own reporter, assigned: (number, reporter's chat)."""
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    found = []
    for n in range(count):
        chat = REPORTERS + n
        filed = file_on(db, date(2026, 11, 2), reporter=person(db, chat))
        do(db, filed.number, "assign", secretary, date(2026, 11, 3), unit="sec1")
        found.append((filed.number, chat))
    return found


def first_send_at(fake: FakeBotApiProcess, chat_id: int, words: str, timeout: float) -> float:
    """When the fake recorded the first send to `chat_id` containing `words` (monotonic)."""
    deadline = time.monotonic() + timeout
    while True:
        for call in fake.calls("sendMessage", chat_id=chat_id):
            if words in (call["params"].get("text") or ""):
                return float(call["at"])
        if time.monotonic() > deadline:
            raise AssertionError(f"nothing containing {words!r} reached {chat_id}")
        time.sleep(0.01)


async def case_message_latency(kind: str, directory: Path, trials: int) -> dict[str, object]:
    """Seconds from a reply's commit to its first send, written in process and from another
    connection pool (no in-process wake)."""
    with database(kind, directory) as db, FakeBotApiProcess(TOKEN, send_delay=0.1) as fake:
        cases = assigned_cases(db, 2 * trials)
        secretary = person(db, SECRETARY, Role.SECRETARIAT)
        worker = worker_for(
            db=db,
            token=TOKEN,
            base_url=fake.base_url,
            base_file_url=fake.base_file_url,
            rate=25,
            default_language="zh-TW",
        )
        other = Database(db.url)  # another pool: only NOTIFY (PostgreSQL) or a look finds it
        latencies: dict[str, list[float]] = {"in_process": [], "other_process": []}
        async with worker.bot:
            worker.start()
            await asyncio.sleep(2.0)  # the lease taken, the outbox looked at: idle
            for n, (number, chat) in enumerate(cases):
                where = "in_process" if n % 2 == 0 else "other_process"
                writer = db if where == "in_process" else other
                words = f"回覆 {n}"
                await asyncio.to_thread(
                    do, writer, number, "reply", secretary, date(2026, 11, 5), text=words
                )
                committed = time.monotonic()
                sent = await asyncio.to_thread(first_send_at, fake, chat, words, 60.0)
                latencies[where].append(sent - committed)
                await asyncio.sleep(1.5)  # idle again before the next
            await worker.stop()
        other.dispose()
    return {
        where: {
            "median_s": round(statistics.median(values), 3),
            "max_s": round(max(values), 3),
            "trials": len(values),
        }
        for where, values in latencies.items()
    }


def add_subscribers(db: Database, count: int) -> None:
    with db.transaction() as session:
        session.execute(
            insert(Person),
            [{"telegram_id": SUBSCRIBERS + i, "first_name": "firm"} for i in range(count)],
        )
        category = session.execute(select(Category.id).where(Category.code == "cns")).scalar_one()
        people = session.execute(
            select(Person.id).where(Person.telegram_id >= SUBSCRIBERS)  # type: ignore[operator]
        ).scalars()
        session.execute(
            insert(Subscription), [{"person_id": p, "category_id": category} for p in people]
        )


async def broadcast_latency(kind: str, directory: Path, trials: int) -> dict[str, object]:
    """Seconds from publishing a notice to 1,000 subscribers (released at once) to its first
    copy, the worker idle before."""
    with database(kind, directory) as db, FakeBotApiProcess(TOKEN, send_delay=0.1) as fake:
        add_subscribers(db, 1000)
        worker = worker_for(
            db=db,
            token=TOKEN,
            base_url=fake.base_url,
            base_file_url=fake.base_file_url,
            rate=25,
            default_language="zh-TW",
        )
        values = []
        async with worker.bot:
            worker.start()
            await asyncio.sleep(2.0)
            for n in range(trials):
                title = f"Notice {n}"
                await asyncio.to_thread(
                    db.call, publish, title=title, body="Body.", codes=["cns"], created_by_id=None
                )
                committed = time.monotonic()
                deadline = committed + 60
                while True:
                    calls = [
                        c
                        for c in fake.calls("sendMessage")
                        if title in (c["params"].get("text") or "")
                    ]
                    if calls:
                        values.append(min(float(c["at"]) for c in calls) - committed)
                        break
                    if time.monotonic() > deadline:
                        raise AssertionError("no copy of the notice")
                    await asyncio.sleep(0.01)
                await worker.stop()  # the rest of the broadcast is not what is measured
                if n:
                    await worker.bot.shutdown()  # (the first one's is shut by `async with`)
                db.call(_cancel_open_rows)
                worker = worker_for(
                    db=db,
                    token=TOKEN,
                    base_url=fake.base_url,
                    base_file_url=fake.base_file_url,
                    rate=25,
                    default_language="zh-TW",
                )
                await worker.bot.initialize()
                worker.start()
                await asyncio.sleep(2.0)
            await worker.stop()
            await worker.bot.shutdown()
    return {
        "median_s": round(statistics.median(values), 3),
        "max_s": round(max(values), 3),
        "trials": len(values),
    }


def _cancel_open_rows(session) -> None:  # type: ignore[no-untyped-def]
    session.execute(text("UPDATE delivery SET status = 'failed' WHERE status = 'pending'"))


async def idle_transactions(directory: Path, seconds: float) -> dict[str, object]:
    """Transactions per second of an idle `bsmi-desk run`-like application on PostgreSQL, and
    of an untouched control database on the same server over the same window (autovacuum's
    visits count in every database); the difference is the application's."""
    with (
        database("postgresql", directory) as db,
        database("postgresql", directory) as control,
        FakeBotApiProcess(TOKEN) as fake,
    ):
        names = [make_url(d.url).database for d in (db, control)]
        admin = create_engine(
            make_url(db.url).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        control.dispose()

        def commits() -> list[int]:
            with admin.connect() as conn:
                return [
                    int(
                        conn.execute(
                            text("SELECT xact_commit FROM pg_stat_database WHERE datname = :n"),
                            {"n": name},
                        ).scalar_one()
                    )
                    for name in names
                ]

        settings = Settings(
            telegram_bot_token=TOKEN,  # type: ignore[arg-type]
            telegram_base_url=fake.base_url,
            telegram_base_file_url=fake.base_file_url,
            database_url=db.url,
            branch_contact_phone="03-5427027",
            branch_contact_address="新竹市北區中華路二段 773 號",
            _env_file=None,  # type: ignore[call-arg]
        )
        app = build_application(settings, db=db)
        await app.initialize()
        assert app.post_init is not None
        await app.post_init(app)
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=10)
        await asyncio.sleep(15.0)  # started: the lease, the first looks and loop steps done
        begun = checkouts = 0

        def on_begin(_conn: object) -> None:
            nonlocal begun
            begun += 1

        def on_checkout(*_args: object) -> None:
            nonlocal checkouts
            checkouts += 1

        event.listen(db.engine, "begin", on_begin)
        event.listen(db.engine.pool, "checkout", on_checkout)
        before, started = commits(), time.monotonic()
        await asyncio.sleep(seconds)
        own_begun, own_checkouts = begun, checkouts
        await asyncio.sleep(11.0)  # PostgreSQL flushes an idle backend's counts within 10 s
        after, elapsed = commits(), time.monotonic() - started - 11.0
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)
        admin.dispose()
    app_count, control_count = after[0] - before[0], after[1] - before[1]
    return {
        "seconds": round(elapsed, 1),
        "transactions": app_count,
        "per_second": round(app_count / elapsed, 3),
        "control_transactions": control_count,
        "net_per_second": round((app_count - control_count) / elapsed, 3),
        "own_transactions": own_begun,
        "own_checkouts": own_checkouts,
        "own_per_second": round(max(own_begun, own_checkouts) / elapsed, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer trials, a 30 s idle window")
    args = parser.parse_args()
    trials = 3 if args.quick else 6
    window = 30.0 if args.quick else 60.0
    logging.basicConfig(level=logging.WARNING)
    kinds = ["sqlite"] + (["postgresql"] if "DATABASE_URL" in os.environ else [])
    figures: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for kind in kinds:
            print(f"1. first copy of a case message after its commit ({kind})", flush=True)
            figures[f"case_{kind}"] = asyncio.run(case_message_latency(kind, directory, trials))
            print("  ", figures[f"case_{kind}"], flush=True)
            print(f"2. first copy of a broadcast after release ({kind})", flush=True)
            figures[f"broadcast_{kind}"] = asyncio.run(broadcast_latency(kind, directory, trials))
            print("  ", figures[f"broadcast_{kind}"], flush=True)
        if "postgresql" in kinds:
            print(f"3. idle transactions per second, PostgreSQL, {window:g} s", flush=True)
            figures["idle_postgresql"] = asyncio.run(idle_transactions(directory, window))
            print("  ", figures["idle_postgresql"], flush=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
