"""/healthz and /readyz: ready while the database answers, the worker's lease is fresh and no
outbox row has waited 5 minutes; 503 naming what failed otherwise."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer

from bot.delivery.lease import lease_name
from bot.settings import Settings
from bot.web.app import build
from kernel.clock import utcnow
from storage.db import Database
from storage.models import Delivery, Notice, WorkerLease
from tests.conftest import TOKEN


def beat(db: Database, ago: timedelta) -> None:
    def run(session) -> None:  # type: ignore[no-untyped-def]
        now = utcnow()
        found = session.get(WorkerLease, lease_name(TOKEN))
        if found is None:
            found = WorkerLease(name=lease_name(TOKEN), owner="w", acquired_at=now - ago)
        found.heartbeat_at = now - ago
        session.add(found)

    db.call(run)


def pending(db: Database, waited: timedelta) -> None:
    def run(session) -> None:  # type: ignore[no-untyped-def]
        notice = Notice(title="t", body="b")
        session.add(notice)
        session.flush()
        session.add(Delivery(notice_id=notice.id, chat_id=5, next_attempt_at=utcnow() - waited))

    db.call(run)


async def test_healthz_answers_ok(site: TestClient) -> None:
    response = await site.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"status": "ok"}


async def test_readyz_is_200_with_a_fresh_lease_and_a_young_outbox(
    site: TestClient, db: Database
) -> None:
    beat(db, timedelta(seconds=20))
    pending(db, timedelta(minutes=4))
    response = await site.get("/readyz")
    assert response.status == 200
    assert await response.json() == {
        "status": "ok",
        "checks": {"database": True, "worker": True, "outbox": True},
        "failed": [],
    }


async def test_readyz_is_503_naming_a_stale_lease_or_an_old_pending_row(
    site: TestClient, db: Database
) -> None:
    response = await site.get("/readyz")
    assert response.status == 503
    assert (await response.json())["failed"] == ["worker"]  # no worker holds the lease
    beat(db, timedelta(minutes=2))
    assert (await (await site.get("/readyz")).json())["failed"] == ["worker"]
    beat(db, timedelta(seconds=5))
    pending(db, timedelta(minutes=6))
    response = await site.get("/readyz")
    assert response.status == 503
    assert (await response.json())["failed"] == ["outbox"]


async def test_readyz_is_503_when_the_database_does_not_answer(
    web_settings: Settings, tmp_path: Path
) -> None:
    gone = Database(f"sqlite:///{tmp_path / 'no-such-dir' / 'x.sqlite3'}")
    async with TestClient(TestServer(build(web_settings, gone), host="127.0.0.1")) as client:
        response = await client.get("/readyz")
        assert response.status == 503
        assert (await response.json())["failed"] == ["database", "worker", "outbox"]
        assert (await client.get("/healthz")).status == 200
    gone.dispose()
