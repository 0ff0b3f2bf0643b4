"""Case benchmarks (issue #4).

1. 100,000 cases over ten years on SQLite (and on PostgreSQL when DATABASE_URL points at one):
   the monthly summary's queries (target < 0.5 s) and the whole report, HTML + CSV + PNG
   (target < 3 s).
2. 50 reports filed at once through the fake Bot API (each send answered after ~100 ms, as
   Telegram would): all stored, numbers unique, reports per second.
3. (issue 13) a 100,000-row `bsmi-desk case import`, run as its own process as an operator
   would, while a reporter keeps asking the running bot for /status through the fake Bot API:
   the import's time and the slowest /status answer (target: within 1 s during the import),
   on SQLite and, when DATABASE_URL is set, on PostgreSQL (BENCH_TRACE=1 prints every answer).

    .venv/bin/python bench/cases.py [--cases N] [--reporters N] [--skip-filing]
                                      [--concurrent-updates] [--import-rows N] [--skip-import]

4. (issue 10) the year's complaint analysis over the same 100,000 cases: the queries (target
   < 1 s) and with its files, HTML + CSV + PNG (target < 3 s); the self-assessment evidence for
   the twelve units over the same data (target < 2 s; no courtesy plan or notices in this
   database, so the cases dominate).

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.assessment.evidence import build_evidence, write_evidence  # noqa: E402
from bot.cases.deadlines import add_days, closure_for  # noqa: E402
from bot.cases.filing import Draft, file_case, format_number  # noqa: E402
from bot.cases.period_report import write_report as write_period_report  # noqa: E402
from bot.cases.periods import build_period_analysis  # noqa: E402
from bot.cases.summary import build_summary  # noqa: E402
from bot.cases.summary_report import write_report  # noqa: E402
from bot.settings import Settings  # noqa: E402
from kernel.periods import Period  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Case, CaseCounter, Unit  # noqa: E402
from storage.models.cases import CaseKind  # noqa: E402
from storage.queries.people import upsert_person  # noqa: E402
from tests.fakes import FakeBotApi  # noqa: E402
from tests.harness import BotHarness  # noqa: E402

TZ = ZoneInfo("Asia/Taipei")
TOKEN = "123456:BENCH-fake-token-abcdefghijklmnop"
MONTH = (2026, 10)
TODAY = date(2026, 11, 26)
PRODUCTS = [f"商品 {i:03d} 型號 X-{i}" for i in range(400)]


def seed(db: Database, count: int, rng: random.Random) -> float:
    """`count` cases received over 2017-2026, most closed; returns seconds taken."""
    started = time.perf_counter()
    with db.transaction() as session:
        units = [u.id for u in session.exec(select(Unit)).all()]
    first = date(2017, 1, 1)
    span = (TODAY - first).days
    received = sorted(first + timedelta(days=rng.randrange(span)) for _ in range(count))
    seqs: dict[tuple[str, int], int] = {}
    batch: list[dict[str, object]] = []
    kinds = [CaseKind.PRODUCT] * 5 + [CaseKind.SERVICE] + [CaseKind.MONITOR] * 4
    with db.transaction() as session:
        for day in received:
            kind = rng.choice(kinds)
            key = (kind.value, day.year)
            seqs[key] = seqs.get(key, 0) + 1
            due = add_days(day, 30, "working")
            age = (TODAY - day).days
            closed_on = replied_on = None
            state = "investigating"
            if age > 60 or rng.random() < 0.4:
                answer = day + timedelta(days=rng.randint(5, 50))
                if answer <= TODAY:
                    replied_on = answer
                    closed_on = answer + timedelta(days=rng.choice([0, 1, 2]))
                    state = "closed"
            batch.append(
                {
                    "created_at": datetime.combine(day, datetime.min.time(), tzinfo=TZ),
                    "number": format_number(kind, day.year, seqs[key]),
                    "kind": kind.value,
                    "channel": "telegram",
                    "year": day.year,
                    "seq": seqs[key],
                    "state": state,
                    "subject": rng.choice(PRODUCTS),
                    "location": None,
                    "description": "基準測試資料：商品疑似不符檢驗規定。",
                    "category_id": None,
                    "unit_id": rng.choice(units),
                    "received_at": datetime.combine(day, datetime.min.time(), tzinfo=TZ),
                    "received_on": day,
                    "due_on": due,
                    "extended_days": 0,
                    "replied_on": replied_on,
                    "closed_on": closed_on,
                    "closure": closure_for(replied_on, due).value if replied_on else None,
                    "days_to_close": (closed_on - day).days if closed_on else None,
                }
            )
            if len(batch) >= 5000:
                session.execute(insert(Case), batch)
                batch = []
        if batch:
            session.execute(insert(Case), batch)
        session.execute(
            insert(CaseCounter),
            [{"kind": k, "year": y, "last_seq": n} for (k, y), n in seqs.items()],
        )
    if db.backend == "postgresql":
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    return time.perf_counter() - started


def time_summary(db: Database, out: Path) -> dict[str, float]:
    """Queries alone (best of 5) and the whole report (first run, then best of 3)."""
    queries = []
    for _ in range(5):
        started = time.perf_counter()
        db.call(build_summary, year=MONTH[0], month=MONTH[1], today=TODAY, language="zh-TW")
        queries.append(time.perf_counter() - started)
    reports = []
    for _ in range(4):
        started = time.perf_counter()
        summary = db.call(
            build_summary, year=MONTH[0], month=MONTH[1], today=TODAY, language="zh-TW"
        )
        write_report(summary, out, "zh-TW", roc=True)
        reports.append(time.perf_counter() - started)
    return {
        "summary_queries_s": round(min(queries), 4),
        "summary_queries_median_s": round(statistics.median(queries), 4),
        "report_first_s": round(reports[0], 3),
        "report_s": round(min(reports[1:]), 3),
    }


PERIOD_YEAR = 2025


def time_period(db: Database, out: Path) -> dict[str, float]:
    """The year's analysis: queries alone (best of 5), with its files (best of 3 after a first
    run), and the evidence for the twelve units (best of 3)."""
    queries = []
    for _ in range(5):
        started = time.perf_counter()
        db.call(
            build_period_analysis,
            period=Period(PERIOD_YEAR),
            today=TODAY,
            language="zh-TW",
        )
        queries.append(time.perf_counter() - started)
    reports = []
    for _ in range(4):
        started = time.perf_counter()
        analysis = db.call(
            build_period_analysis,
            period=Period(PERIOD_YEAR),
            today=TODAY,
            language="zh-TW",
        )
        write_period_report(analysis, out, "zh-TW")
        reports.append(time.perf_counter() - started)
    evidence = []
    for _ in range(3):
        started = time.perf_counter()
        built = db.call(
            build_evidence,
            period=Period(PERIOD_YEAR),
            language="zh-TW",
            today=TODAY,
            pass_mark=80,
            tz=TZ,
        )
        write_evidence(built, out)
        evidence.append(time.perf_counter() - started)
    assert len(built.units) == 12
    return {
        "period_queries_s": round(min(queries), 4),
        "period_report_s": round(min(reports[1:]), 3),
        "evidence_s": round(min(evidence), 3),
    }


def bench_sqlite(count: int, directory: Path) -> dict[str, float]:
    db = Database(f"sqlite:///{directory / 'cases.sqlite3'}")
    db.upgrade()
    seconds = seed(db, count, random.Random(4))
    figures = {"seed_s": round(seconds, 1), **time_summary(db, directory / "out-sqlite")}
    figures.update(time_period(db, directory / "out-sqlite"))
    db.dispose()
    return figures


def bench_postgres(url: str, count: int, directory: Path) -> dict[str, float]:
    base = make_url(url).set(drivername="postgresql+psycopg")
    name = f"bsmi_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        db = Database(base.set(database=name).render_as_string(hide_password=False))
        db.upgrade()
        seconds = seed(db, count, random.Random(4))
        figures = {"seed_s": round(seconds, 1), **time_summary(db, directory / "out-pg")}
        figures.update(time_period(db, directory / "out-pg"))
        db.dispose()
        return figures
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _bot_settings(fake: FakeBotApi, url: str) -> Settings:
    return Settings(
        telegram_bot_token=TOKEN,  # type: ignore[arg-type]
        telegram_base_url=fake.base_url,
        telegram_base_file_url=fake.base_file_url,
        database_url=url,
        _env_file=None,  # type: ignore[call-arg]
    )


async def _start_bot(fake: FakeBotApi, db: Database, url: str) -> BotHarness:
    """The real bot polling `fake` on `db`, started (the caller stops it)."""
    harness = BotHarness(settings=_bot_settings(fake, url), fake=fake, db=db)
    await harness.start()
    return harness


async def _wait(fake: FakeBotApi, chat_id: int, before: int, count: int) -> None:
    deadline = time.monotonic() + 300
    while len(fake.sent(chat_id)) < before + count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"chat {chat_id} got no reply\n{fake.dump()}")
        await asyncio.sleep(0.05)


async def _file_one(fake: FakeBotApi, user_id: int) -> None:
    steps: list[tuple[str, str, int]] = [
        ("say", "/report", 1),
        ("press", "rep:kind:product", 2),
        ("say", f"延長線 SafePlug {user_id}", 1),
        ("say", "新竹市東區某量販店", 1),
        ("say", "插座使用時冒出火花並有焦味，外盒沒有商品安全標章。", 1),
        ("say", "/skip", 1),
        ("say", "🙈 匿名提出", 2),
        ("press", "rep:submit", 1),
    ]
    for how, what, replies in steps:
        before = len(fake.sent(user_id))
        if how == "say":
            fake.send_text(user_id, what, language_code="zh-hant")
        else:
            fake.press_button(user_id, what, language_code="zh-hant")
        await _wait(fake, user_id, before, replies)


async def bench_filing(reporters: int, directory: Path) -> dict[str, float]:
    url = f"sqlite:///{directory / 'filing.sqlite3'}"
    db = Database(url)
    db.upgrade()
    with FakeBotApi(token=TOKEN, send_delay=0.1) as fake:
        harness = await _start_bot(fake, db, url)
        try:
            started = time.perf_counter()
            users = range(900_001, 900_001 + reporters)
            await asyncio.gather(*(_file_one(fake, u) for u in users))
            elapsed = time.perf_counter() - started
        finally:
            await harness.stop()
    check = Database(url)
    with check.transaction() as session:
        numbers = [c.number for c in session.exec(select(Case)).all()]
    check.dispose()
    unique = len(set(numbers)) == len(numbers)
    return {
        "filing_reports": reporters,
        "filing_stored": len(numbers),
        "filing_numbers_unique": unique,
        "filing_seconds": round(elapsed, 2),
        "filing_reports_per_s": round(reporters / elapsed, 2),
    }


def _import_csv(path: Path, rows: int) -> None:
    """`rows` cases received by phone over 2026, every unit, half with a contact."""
    lines = ["channel,kind,received_on,subject,description,unit,contact_name,contact_phone"]
    for n in range(rows):
        day = date(2026, 1 + n % 10, 1 + n % 28)
        contact = f"陳先生,0922{n:06d}" if n % 2 else ","
        lines.append(
            f"phone,product,{day.isoformat()},延長線 SafePlug {n},"
            f"民眾來電反映延長線使用時過熱冒煙,sec{1 + n % 5},{contact}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


async def _status_latency(fake: FakeBotApi, user_id: int) -> float:
    before = len(fake.sent(user_id))
    started = time.perf_counter()
    fake.send_text(user_id, "/status", language_code="zh-hant")
    await _wait(fake, user_id, before, 1)
    return time.perf_counter() - started


async def bench_import_while_chatting(url: str, rows: int, directory: Path) -> dict[str, object]:
    """`case import` of `rows` rows in its own process while /status is asked every 0.2 s."""
    db = Database(url)
    db.upgrade()
    reporter_id = 900_000
    with db.transaction() as session:
        reporter = upsert_person(
            session=session, telegram_id=reporter_id, first_name="Bench", username=None
        )
    for n in range(5):
        db.call(
            file_case,
            draft=Draft(
                kind="product",
                subject=f"行動電源 {n}",
                location="新竹市",
                description="充電時外殼過熱變形，疑似未貼商品安全標章。",
            ),
            person_id=reporter.id,
            roles=frozenset(),
            language="zh-TW",
            received_at=datetime.now(TZ) - timedelta(days=n + 2),
            tz=TZ,
            reply_days=30,
            counting="working",
        )
    source = directory / f"import-{rows}.csv"
    _import_csv(source, rows)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env["DATABASE_URL"] = url
    with FakeBotApi(token=TOKEN, send_delay=0.1) as fake:
        harness = await _start_bot(fake, db, url)
        try:
            idle = [await _status_latency(fake, reporter_id) for _ in range(5)]
            started = time.perf_counter()
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "case",
                "import",
                str(source),
                cwd=directory,
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
            )
            during: list[float] = []
            while process.returncode is None:
                during.append(await _status_latency(fake, reporter_id))
                if os.environ.get("BENCH_TRACE"):
                    print(f"{time.perf_counter() - started:6.2f} s: /status {during[-1]:.3f} s")
                try:
                    await asyncio.wait_for(process.wait(), timeout=0.2)
                except TimeoutError:
                    pass
            elapsed = time.perf_counter() - started
            raw_out, raw_err = await process.communicate()
            out, err = raw_out.decode(), raw_err.decode()
        finally:
            await harness.stop()
    if process.returncode != 0:
        raise RuntimeError(f"case import failed: {err.strip()}")
    with db.transaction() as session:
        stored = len(session.exec(select(Case)).all())
    db.dispose()
    return {
        "import_rows": rows,
        "import_stored": stored,
        "import_s": round(elapsed, 1),
        "import_rows_per_s": round(rows / elapsed),
        "status_idle_max_s": round(max(idle), 3),
        "status_during_import_n": len(during),
        "status_during_import_median_s": round(statistics.median(during), 3) if during else None,
        "status_during_import_max_s": round(max(during), 3) if during else None,
        "import_said": out.strip().splitlines()[-1] if out.strip() else "",
    }


def _postgres_database(url: str) -> tuple[str, object]:
    """A fresh database on the PostgreSQL server of `url`, and a function that drops it."""
    base = make_url(url).set(drivername="postgresql+psycopg")
    name = f"bsmi_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


def _print_import(backend: str, figures: dict[str, object]) -> None:
    print(
        f"{backend}: case import of {figures['import_rows']:,} rows in its own process: "
        f"{figures['import_s']} s ({figures['import_rows_per_s']:,} rows/s), "
        f"{figures['import_stored']:,} cases stored; /status answered "
        f"{figures['status_during_import_n']} times meanwhile, median "
        f"{figures['status_during_import_median_s']} s, slowest "
        f"{figures['status_during_import_max_s']} s (target within 1 s; idle: slowest "
        f"{figures['status_idle_max_s']} s)"
    )


def _concurrent_updates() -> None:
    """Build the application with concurrent_updates on: the builder processes one update at a
    time, so each step of every reporter waits for the previous send's ~100 ms answer."""
    from telegram.ext import ApplicationBuilder

    import bot.application

    class Concurrent(ApplicationBuilder):  # type: ignore[type-arg]
        def build(self):  # type: ignore[no-untyped-def]
            self.concurrent_updates(True)
            return super().build()

    bot.application.ApplicationBuilder = Concurrent  # type: ignore[misc]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--reporters", type=int, default=50)
    parser.add_argument("--skip-filing", action="store_true")
    parser.add_argument("--import-rows", type=int, default=100_000)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument(
        "--concurrent-updates",
        action="store_true",
        help="file with python-telegram-bot's concurrent_updates on (what-if for the builder)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    figures: dict[str, object] = {"cases": args.cases, "month": f"{MONTH[0]}-{MONTH[1]:02d}"}
    with tempfile.TemporaryDirectory(prefix="bsmi-bench-cases-") as tmp:
        directory = Path(tmp)
        sqlite = bench_sqlite(args.cases, directory)
        print(
            f"SQLite, {args.cases:,} cases: summary queries {sqlite['summary_queries_s']:.3f} s "
            f"(target < 0.5), whole report {sqlite['report_s']:.2f} s (first run "
            f"{sqlite['report_first_s']:.2f} s; target < 3)"
        )
        print(
            f"SQLite, {args.cases:,} cases, year {PERIOD_YEAR} analysis: queries "
            f"{sqlite['period_queries_s']:.3f} s (target < 1), with files "
            f"{sqlite['period_report_s']:.2f} s (target < 3); evidence for 12 units "
            f"{sqlite['evidence_s']:.2f} s (target < 2)"
        )
        figures.update({f"sqlite_{k}": v for k, v in sqlite.items()})
        url = os.environ.get("DATABASE_URL", "")
        if url.startswith("postgresql"):
            pg = bench_postgres(url, args.cases, directory)
            print(
                f"PostgreSQL, {args.cases:,} cases: summary queries "
                f"{pg['summary_queries_s']:.3f} s, whole report {pg['report_s']:.2f} s; year "
                f"analysis {pg['period_queries_s']:.3f} s, with files "
                f"{pg['period_report_s']:.2f} s; evidence {pg['evidence_s']:.2f} s"
            )
            figures.update({f"postgres_{k}": v for k, v in pg.items()})
        if not args.skip_import:
            url = f"sqlite:///{directory / 'import.sqlite3'}"
            imported = asyncio.run(bench_import_while_chatting(url, args.import_rows, directory))
            _print_import("SQLite", imported)
            figures.update({f"sqlite_{k}": v for k, v in imported.items()})
            pg_url = os.environ.get("DATABASE_URL", "")
            if pg_url.startswith("postgresql"):
                fresh, drop = _postgres_database(pg_url)
                try:
                    imported = asyncio.run(
                        bench_import_while_chatting(fresh, args.import_rows, directory)
                    )
                finally:
                    drop()  # type: ignore[operator]
                _print_import("PostgreSQL", imported)
                figures.update({f"postgres_{k}": v for k, v in imported.items()})
        if not args.skip_filing:
            if args.concurrent_updates:
                _concurrent_updates()
                figures["concurrent_updates"] = True
            filing = asyncio.run(bench_filing(args.reporters, directory))
            print(
                f"{filing['filing_reports']} reports filed at once through the fake Bot API: "
                f"{filing['filing_stored']} stored, numbers unique: "
                f"{filing['filing_numbers_unique']}, {filing['filing_reports_per_s']} reports/s "
                f"({filing['filing_seconds']} s)"
            )
            figures.update(filing)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
