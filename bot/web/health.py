"""For the branch's monitoring: `/healthz` (the process answers) and `/readyz` (the database
answers, the delivery worker's lease is fresh, no outbox row has waited 5 minutes), as JSON;
`/readyz` is 200 when all hold and 503 naming each check that failed."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from aiohttp import web
from sqlmodel import Session

from bot.delivery.lease import DEFAULT_LEASE, lease_name
from bot.web.frame import DATABASE, SETTINGS
from kernel.clock import utcnow
from storage.queries.health import fetch_lease_heartbeat, fetch_oldest_due_delivery

logger = logging.getLogger(__name__)

OLDEST_WAIT = timedelta(minutes=5)
"""How long an outbox row may have been due before the site says the bot is not ready."""


@dataclass(frozen=True)
class Readiness:
    heartbeat: datetime | None
    oldest_due: datetime | None


def _look(session: Session, *, lease: str, now: datetime) -> Readiness:
    return Readiness(
        heartbeat=fetch_lease_heartbeat(session=session, name=lease),
        oldest_due=fetch_oldest_due_delivery(session=session, now=now),
    )


def judge(found: Readiness | None, *, now: datetime) -> dict[str, bool]:
    """Each check: the database answered, the lease renewed within its length, the oldest
    due row younger than OLDEST_WAIT."""
    if found is None:
        return {"database": False, "worker": False, "outbox": False}
    return {
        "database": True,
        "worker": found.heartbeat is not None and now - found.heartbeat < DEFAULT_LEASE,
        "outbox": found.oldest_due is None or now - found.oldest_due < OLDEST_WAIT,
    }


async def healthz(request: web.Request) -> web.Response:
    """GET /healthz: the process answers."""
    return web.json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """GET /readyz: 200 when the database, the worker and the outbox are well; else 503."""
    token = request.app[SETTINGS].telegram_bot_token
    lease = lease_name(token.get_secret_value() if token else "")
    now = utcnow()
    try:
        found: Readiness | None = await request.app[DATABASE].run_read(_look, lease=lease, now=now)
    except Exception:  # the database not answering is what this check reports
        logger.warning("readiness: the database did not answer", exc_info=True)
        found = None
    checks = judge(found, now=now)
    failed = [name for name, ok in checks.items() if not ok]
    body = {"status": "ok" if not failed else "failing", "checks": checks, "failed": failed}
    return web.json_response(body, status=200 if not failed else 503)
