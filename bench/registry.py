"""Certificate register benchmarks: importing 100,000 certificates and planning their expiry
reminders, then finding the reminders due on one day among them (SQLite, or PostgreSQL when
DATABASE_URL is set).

    .venv/bin/python bench/registry.py [--rows 100000]

Targets (issue #11): the import with its planning under 10 s on SQLite; the due reminders of a
day under 0.2 s. The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import update  # noqa: E402
from sqlmodel import Session, col  # noqa: E402

from bot.notices.expiry import release_due_reminders  # noqa: E402
from bot.notices.firms import tax_id_is_valid  # noqa: E402
from bot.notices.registry import import_register  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import ExpiryReminder  # noqa: E402
from storage.queries.registry.expiry_reminders import fetch_due_reminders  # noqa: E402

TZ = ZoneInfo("Asia/Taipei")
IMPORTED_AT = datetime(2026, 1, 5, 9, tzinfo=TZ)
DUE_DAY = date(2026, 6, 2)  # a Tuesday
KINDS = ("rpc", "type", "cns", "metrology")


def certificate_csv(rows: int) -> str:
    """`rows` certificates of about rows/3 firms, expiring evenly over the next three years."""
    rng = random.Random(11)
    firms: list[str] = []
    while len(firms) < max(1, rows // 3):
        number = f"{rng.randrange(10_000_000, 100_000_000):08d}"
        if tax_id_is_valid(number):
            firms.append(number)
    lines = ["tax_id,kind,number,product,expires_on,holder"]
    for i in range(rows):
        expires = IMPORTED_AT.date() + timedelta(days=30 + rng.randrange(3 * 365))
        kind = KINDS[i % len(KINDS)]
        lines.append(f"{rng.choice(firms)},{kind},{kind.upper()}-{i:07d},品名 {i},{expires}")
    return "\n".join(lines) + "\n"


def settle_before(session: Session, moment: datetime) -> None:
    session.execute(
        update(ExpiryReminder)
        .where(col(ExpiryReminder.due_at) < moment, col(ExpiryReminder.state) == "planned")
        .values(state="sent", closed_at=moment)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    text = certificate_csv(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        db = Database(url)
        db.upgrade()
        started = time.perf_counter()
        done = db.call(
            import_register, text=text, replace=False, days=(90, 30, 7), tz=TZ, now=IMPORTED_AT
        )
        import_s = time.perf_counter() - started
        print(
            f"import of {args.rows:,} rows, {done.planned:,} reminders planned: {import_s:.2f} s"
        )
        started = time.perf_counter()
        again = db.call(
            import_register, text=text, replace=True, days=(90, 30, 7), tz=TZ, now=IMPORTED_AT
        )
        reimport_s = time.perf_counter() - started
        print(f"the same file again (--replace, nothing changed): {reimport_s:.2f} s")
        assert again.unchanged == args.rows
        moment = datetime.combine(DUE_DAY, datetime.min.time(), tzinfo=TZ) + timedelta(
            hours=9, minutes=30
        )
        # a running bot released every earlier reminder on its day: only that day's are planned
        day_start = datetime.combine(DUE_DAY, datetime.min.time(), tzinfo=TZ)
        db.call(lambda session: settle_before(session, day_start))
        timings = []
        for _ in range(5):
            started = time.perf_counter()
            due = db.call(fetch_due_reminders, now=moment, limit=500)
            timings.append(time.perf_counter() - started)
        print(f"due reminders at {moment:%Y-%m-%d %H:%M}: {len(due)} read in {min(timings):.4f} s")
        started = time.perf_counter()
        released = db.call(release_due_reminders, now=moment, tz=TZ)
        release_s = time.perf_counter() - started
        print(f"one pass of the job over them (no chat holds the numbers): {release_s:.3f} s")
        db.dispose()
    figures = {
        "backend": url.split(":")[0],
        "rows": args.rows,
        "planned": done.planned,
        "import_s": round(import_s, 2),
        "reimport_s": round(reimport_s, 2),
        "due_read": len(due),
        "due_s": round(min(timings), 4),
        "release_pass_s": round(release_s, 3),
        "release": released.unreachable + released.superseded + released.skipped,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
