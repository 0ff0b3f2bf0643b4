"""Notices by e-mail (issue 21): the mail sender's throughput to a local SMTP server.

10,000 confirmed e-mail subscribers of one category, one notice released to it (so 10,000
e-mail rows in the outbox), sent by the mail sender as `bsmi-desk run` builds it (one SMTP
connection reused, each e-mail composed with its own link token) to an SMTP sink (aiosmtpd on
127.0.0.1 in its own process) that counts what it accepts per recipient:

1. MAIL_RATE=0 (no limit): messages per second from the first send to the last (goal ≥ 100);
2. MAIL_RATE=10 with fewer messages (300): the rate achieved and its ratio to 10 (goal ≥ 0.98).

Each run checks that every address got its e-mail exactly once (lost, duplicates) and that
every outbox row is `sent`. SQLite in a temporary folder.

    .venv/bin/python bench/mail.py [--quick]      # --quick: 2,000 and 100 messages

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing
import os
import platform
import socket
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import col, func, select  # noqa: E402

from bot.mail.messages import Sender  # noqa: E402
from bot.mail.sender import MailSender  # noqa: E402
from bot.mail.transport import SmtpTransport  # noqa: E402
from bot.notices.publishing import publish  # noqa: E402
from kernel.clock import utcnow  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import Category, Delivery  # noqa: E402
from storage.models.mail import EmailSubscriber, EmailSubscriberCategory  # noqa: E402
from storage.models.notices import Channel  # noqa: E402
from storage.queries.bulk import bulk_insert  # noqa: E402

SENDER = Sender(
    mail_from="新竹分局 <notices@bsmi.example>",
    base_url="https://bsmi.example",
    tz=ZoneInfo("Asia/Taipei"),
)


class Sink:
    """An aiosmtpd handler that accepts everything and counts the recipients of each message."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        for rcpt in envelope.rcpt_tos:
            self.received[rcpt] += 1
        return "250 OK"


def serve_sink(port: int, control: Connection) -> None:
    """The sink's process: serve until told to stop, then send back what it received."""
    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    control.send("ready")
    control.recv()
    controller.stop()
    control.send(dict(sink.received))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def seed(db: Database, count: int) -> None:
    """`count` confirmed subscribers of one category, written in bulk."""
    now = utcnow()

    def write(session):  # type: ignore[no-untyped-def]
        category = Category(code="bench", name_zh="測試", name_en="Bench")
        session.add(category)
        session.flush()
        bulk_insert(
            session=session,
            table=EmailSubscriber.__table__,  # type: ignore[attr-defined]
            rows=[
                {
                    "id": i,
                    "address": f"firm{i:05d}@example.com",
                    "language": "zh-TW" if i % 3 else "en",
                    "frequency": "immediately",
                    "confirmed_at": now,
                    "created_at": now,
                }
                for i in range(1, count + 1)
            ],
        )
        bulk_insert(
            session=session,
            table=EmailSubscriberCategory.__table__,  # type: ignore[attr-defined]
            rows=[{"subscriber_id": i, "category_id": category.id} for i in range(1, count + 1)],
        )

    db.call(write)


async def send_all(db: Database, port: int, rate: float) -> tuple[float, int]:
    """Send every due e-mail at `rate`; (seconds from the first send to the last, taken)."""
    transport = SmtpTransport(scheme="smtp", host="127.0.0.1", port=port, timeout=30)
    sender = MailSender(db, transport=transport, sender=SENDER, rate=rate)
    taken = 0
    started = time.perf_counter()
    try:
        while batch := await sender.send_due():
            taken += batch
    finally:
        await transport.close()
    return time.perf_counter() - started, taken


def run(directory: Path, count: int, rate: float) -> dict[str, object]:
    """Seed `count` subscribers, release one notice, send it at `rate` to a fresh sink."""
    db = Database(f"sqlite:///{directory / f'mail-{count}-{rate:g}.sqlite3'}")
    db.upgrade()
    seed(db, count)
    port = free_port()
    ours, theirs = multiprocessing.Pipe()
    sink = multiprocessing.Process(target=serve_sink, args=(port, theirs), daemon=True)
    sink.start()
    try:
        assert ours.recv() == "ready"
        db.call(
            lambda session: publish(
                session,
                title="電風扇驗證登錄新制",
                body="自即日起，電風扇應依新制辦理驗證登錄。\n\n詳見附件說明。",
                codes=["bench"],
                created_by_id=None,
            )
        )
        seconds, taken = asyncio.run(send_all(db, port, rate))
        ours.send("stop")
        received: dict[str, int] = ours.recv()
    finally:
        sink.join(timeout=10)
        if sink.is_alive():
            sink.terminate()
    with db.reading() as session:
        statuses = dict(
            session.exec(
                select(Delivery.status, func.count())
                .where(Delivery.channel == Channel.EMAIL.value)
                .group_by(col(Delivery.status))
            ).all()
        )
    db.dispose()
    wanted = {f"firm{i:05d}@example.com" for i in range(1, count + 1)}
    achieved = count / seconds
    return {
        "messages": count,
        "mail_rate": rate,
        "seconds": round(seconds, 2),
        "per_second": round(achieved, 1),
        "ratio_to_rate": round(achieved / rate, 3) if rate else None,
        "taken": taken,
        "lost": len(wanted - received.keys()),
        "duplicates": sum(n - 1 for n in received.values() if n > 1),
        "strangers": len(received.keys() - wanted),
        "rows": statuses,
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = f", load {os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else ""
    return f"{os.cpu_count()} cores, {cpu}, Python {platform.python_version()}{load}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 100 messages")
    args = parser.parse_args()
    unlimited, paced = (2_000, 100) if args.quick else (10_000, 300)
    logging.basicConfig(level=logging.WARNING)
    figures: dict[str, object] = {"machine": machine()}
    print(figures["machine"], flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        print(f"1. {unlimited:,} e-mails, MAIL_RATE=0 (no limit)", flush=True)
        figures["unlimited"] = run(directory, unlimited, 0)
        print("  ", figures["unlimited"], flush=True)
        print(f"2. {paced:,} e-mails, MAIL_RATE=10", flush=True)
        figures["paced"] = run(directory, paced, 10)
        print("  ", figures["paced"], flush=True)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
