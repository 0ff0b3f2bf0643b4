"""What the delivery tests build: subscribers, a published notice, its rows, a wait until
every row is settled, the copies a chat got, and a worker in a process of its own."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import Session, select

from bot.notices.publishing import publish as publish_notice
from bot.notices.status import NoticeStatus, notice_status
from bot.notices.subscriptions import subscribe_by_codes
from storage.db import Database
from storage.models import Delivery, Person
from tests.conftest import TOKEN
from tests.fakes import FakeBotApi

REPO = Path(__file__).resolve().parents[3]


def add_subscribers(db: Database, ids: list[int], code: str = "cns") -> None:
    def add(session: Session) -> None:
        for telegram_id in ids:
            person = Person(telegram_id=telegram_id, first_name=f"firm {telegram_id}")
            session.add(person)
            session.flush()
            assert person.id is not None
            subscribe_by_codes(session=session, person_id=person.id, codes=[code], language="en")

    db.call(add)


def publish(db: Database, title: str, code: str = "cns") -> int:
    published = db.call(
        publish_notice, title=title, body="Body text.", codes=[code], created_by_id=None
    )
    return published.notice_id


def rows(db: Database, notice_id: int) -> dict[int, Delivery]:
    with db.transaction() as session:
        found = session.exec(select(Delivery).where(Delivery.notice_id == notice_id)).all()
    return {r.chat_id: r for r in found}


async def wait_done(db: Database, notice_id: int, timeout: float = 20.0) -> NoticeStatus:
    deadline = time.monotonic() + timeout
    while True:
        status = await db.run(notice_status, notice_id=notice_id)
        if status.done == status.total:
            return status
        if time.monotonic() > deadline:
            raise AssertionError(f"delivery not finished: {status.counts}")
        await asyncio.sleep(0.1)


def copies(fake: FakeBotApi, chat_id: int, title: str) -> int:
    return sum(
        1 for c in fake.calls("sendMessage", chat_id=chat_id) if c.ok and title in (c.text or "")
    )


def worker_process(database_url: str, fake: FakeBotApi, rate: int) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))},
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": fake.base_url,
        "TELEGRAM_BASE_FILE_URL": fake.base_file_url,
        "DATABASE_URL": database_url,
        "BROADCAST_RATE": str(rate),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot.delivery", "--lease-seconds", "2"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
