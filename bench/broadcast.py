"""Broadcast benchmarks for the delivery worker (issue #3).

Against a loopback fake Bot API in its own process that answers each send after ~100 ms:

1. 3,000 subscribers at BROADCAST_RATE=25 with Telegram's limits enforced (30/s overall, 1/s per
   chat, 429 with retry_after past them): achieved rate / 25, 429s, lost, duplicates.
2. The same at BROADCAST_RATE=30: nothing lost; 429s counted.
3. Limits off, 20,000 subscribers: the fake enforces none of Telegram's limits and the worker's
   pacer is set to 2,000/s (past the setting's ceiling of 1,000, which only a bench may do), so
   the pace does not bound the figure: messages per second and CPU seconds per 1,000 messages
   (this process: worker, database threads, python-telegram-bot on aiohttp). The same run at
   BROADCAST_RATE=1000 follows it, for the ratio to the configured ceiling.
4. Releasing a notice to 100,000 subscribers on SQLite: the one INSERT … SELECT, timed.

    .venv/bin/python bench/broadcast.py [--quick]

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.delivery.worker import worker_for  # noqa: E402
from bot.notices.publishing import publish  # noqa: E402
from bot.notices.status import notice_status  # noqa: E402
from kernel.clock import utcnow  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Category, Person, Subscription  # noqa: E402
from storage.queries import notices as q  # noqa: E402
from tests.fakes import FakeBotApiProcess  # noqa: E402

TOKEN = "123456:BENCH-fake-token-abcdefghijklmnop"


def fresh_database(directory: Path, name: str, subscribers: int) -> Database:
    """A migrated SQLite database with `subscribers` people subscribed to `cns`."""
    db = Database(f"sqlite:///{directory / name}.sqlite3")
    db.upgrade()
    now = utcnow()
    with db.transaction() as session:
        category = session.exec(
            Category.__table__.select().where(Category.__table__.c.code == "cns")  # type: ignore[attr-defined]
        ).one()
        chunk = 10_000
        for start in range(0, subscribers, chunk):
            ids = range(start + 1, min(subscribers, start + chunk) + 1)
            session.execute(
                insert(Person),
                [
                    {
                        "telegram_id": 10_000_000 + i,
                        "first_name": f"firm {i}",
                        "blocked": False,
                        "created_at": now,
                    }
                    for i in ids
                ],
            )
        session.execute(
            insert(Subscription).from_select(
                ["person_id", "category_id", "created_at"],
                Person.__table__.select().with_only_columns(  # type: ignore[attr-defined]
                    Person.__table__.c.id,  # type: ignore[attr-defined]
                    Person.__table__.c.id * 0 + category.id,  # type: ignore[attr-defined]
                    Person.__table__.c.created_at,  # type: ignore[attr-defined]
                ),
            )
        )
    return db


async def broadcast(
    db: Database, fake: FakeBotApiProcess, *, rate: float, subscribers: int, title: str
) -> dict[str, float | int | None]:
    """Publish one notice and run a worker until every row is done."""
    worker = worker_for(
        db=db,
        token=TOKEN,
        base_url=fake.base_url,
        base_file_url=fake.base_file_url,
        rate=rate,
        default_language="zh-TW",
        lease=timedelta(seconds=30),
    )
    published = db.call(
        publish,
        title=title,
        body="Benchmark notice body.",
        codes=["cns"],
        created_by_id=None,
    )
    cpu0, wall0 = time.process_time(), time.monotonic()
    async with worker.bot:
        worker.start()
        while True:
            await asyncio.sleep(0.5)
            status = await db.run(notice_status, notice_id=published.notice_id)
            if status.done == status.total:
                break
        await worker.stop()
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    stats = fake.stats()
    delivered = stats["delivered"]
    return {
        "subscribers": subscribers,
        "broadcast_rate": rate,
        "achieved_rate": round(stats["rate"] or 0.0, 2),
        "rate_ratio": round((stats["rate"] or 0.0) / rate, 3),
        "wall_seconds": round(wall, 1),
        "delivered": delivered,
        "sent_rows": status.counts["sent"],
        "too_many_requests": stats["too_many_requests"],
        "lost": subscribers - len(stats["sent_by_chat"]),
        "duplicates": stats["duplicates"],
        "cpu_seconds_per_1000": round(1000 * cpu / max(1, delivered), 3),
    }


async def paced(
    directory: Path, *, subscribers: int, rate: float
) -> dict[str, float | int | None]:
    db = fresh_database(directory, f"paced{int(rate)}", subscribers)
    with FakeBotApiProcess(TOKEN, send_delay=0.1, enforce_limits=True) as fake:
        return await broadcast(db, fake, rate=rate, subscribers=subscribers, title=f"r{rate}")


UNPACED = 2000.0
"""The pacer's rate with limits off: twice the goal, so the worker, not its pace, is measured."""


async def unlimited(
    directory: Path, *, subscribers: int, rate: float
) -> dict[str, float | int | None]:
    db = fresh_database(directory, f"unlimited{int(rate)}", subscribers)
    with FakeBotApiProcess(TOKEN, send_delay=0.1, enforce_limits=False) as fake:
        return await broadcast(db, fake, rate=rate, subscribers=subscribers, title="fast")


def release(directory: Path, *, subscribers: int) -> dict[str, float | int]:
    db = fresh_database(directory, "release", subscribers)
    with db.transaction() as session:
        cns = q.fetch_category_by_code(session=session, code="cns")
        assert cns is not None and cns.id is not None
        notice = q.create_notice(
            session=session,
            title="Release",
            body="Body",
            category_ids=[cns.id],
            created_by_id=None,
            scheduled_at=None,
        )
    assert notice.id is not None
    started = time.perf_counter()
    count = db.call(q.release_notice, notice_id=notice.id, now=utcnow())
    seconds = time.perf_counter() - started
    return {"subscribers": subscribers, "rows": count or 0, "seconds": round(seconds, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    args = parser.parse_args()
    scale = 10 if args.quick else 1
    logging.basicConfig(level=logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        figures: dict[str, object] = {}
        print("1. 3,000 subscribers at BROADCAST_RATE=25, Telegram limits enforced", flush=True)
        figures["rate25"] = asyncio.run(paced(directory, subscribers=3000 // scale, rate=25))
        print("  ", figures["rate25"], flush=True)
        print("2. the same at BROADCAST_RATE=30", flush=True)
        figures["rate30"] = asyncio.run(paced(directory, subscribers=3000 // scale, rate=30))
        print("  ", figures["rate30"], flush=True)
        print("3. limits off, pacer at 2,000/s, 20,000 subscribers", flush=True)
        figures["unlimited"] = asyncio.run(
            unlimited(directory, subscribers=20_000 // scale, rate=UNPACED)
        )
        print("  ", figures["unlimited"], flush=True)
        print("   the same at BROADCAST_RATE=1000", flush=True)
        figures["ceiling"] = asyncio.run(
            unlimited(directory, subscribers=20_000 // scale, rate=1000)
        )
        print("  ", figures["ceiling"], flush=True)
        print("4. releasing a notice to 100,000 subscribers (SQLite)", flush=True)
        figures["release"] = release(directory, subscribers=100_000 // scale)
        print("  ", figures["release"], flush=True)
    r25, r30, fast, ceiling, rel = (
        figures["rate25"],
        figures["rate30"],
        figures["unlimited"],
        figures["ceiling"],
        figures["release"],
    )
    summary = {
        "rate25_ratio": r25["rate_ratio"],  # type: ignore[index]
        "rate25_429s": r25["too_many_requests"],  # type: ignore[index]
        "rate25_lost": r25["lost"],  # type: ignore[index]
        "rate25_duplicates": r25["duplicates"],  # type: ignore[index]
        "rate30_achieved": r30["achieved_rate"],  # type: ignore[index]
        "rate30_429s": r30["too_many_requests"],  # type: ignore[index]
        "rate30_lost": r30["lost"],  # type: ignore[index]
        "rate30_duplicates": r30["duplicates"],  # type: ignore[index]
        "unlimited_messages_per_second": fast["achieved_rate"],  # type: ignore[index]
        "unlimited_cpu_seconds_per_1000": fast["cpu_seconds_per_1000"],  # type: ignore[index]
        "unlimited_lost": fast["lost"],  # type: ignore[index]
        "unlimited_duplicates": fast["duplicates"],  # type: ignore[index]
        "rate1000_messages_per_second": ceiling["achieved_rate"],  # type: ignore[index]
        "rate1000_cpu_seconds_per_1000": ceiling["cpu_seconds_per_1000"],  # type: ignore[index]
        "release_100k_seconds": rel["seconds"],  # type: ignore[index]
        "release_rows": rel["rows"],  # type: ignore[index]
        "quick": args.quick,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
