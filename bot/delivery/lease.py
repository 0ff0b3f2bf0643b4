"""The lease that keeps one delivery worker per bot token: a `workerlease` row with a heartbeat,
renewed on the worker's looks at the outbox (or by its heartbeat when it looks rarely), trusted
only while surely fresh, freed at once by a clean stop."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

from sqlmodel import Session

from kernel.clock import utcnow
from storage.db import Database
from storage.queries.outbox.leases import acquire_lease, clear_pause, release_lease

DEFAULT_LEASE = timedelta(seconds=90)
"""Renewed every 30 s (a third), so an idle bot's database hears from it rarely; a clean stop
frees it at once, a crashed worker's is taken over after it runs out."""


def lease_name(token: str) -> str:
    """The lease is per bot: the numeric bot id before the token's colon (not the secret)."""
    return f"delivery:{token.split(':', 1)[0]}"


class LeaseUnconfirmed(Exception):
    """The lease was not renewed in time: another worker may take over, so nothing is sent."""


class Lease:
    """One worker's hold on the lease `name`: `owner` is the worker, times are loop times."""

    def __init__(self, name: str, length: timedelta) -> None:
        self.name = name
        self.owner = uuid.uuid4().hex
        self.length = length
        self.seconds = length.total_seconds()
        self.held = False
        self._until = 0.0  # loop time until which the lease is surely ours

    def renewed(self, started: float) -> None:
        """The database renewed it in a transaction begun at loop time `started`."""
        self.held = True
        self._until = started + self.seconds

    def renewed_ago(self, now: float) -> float:
        return now - (self._until - self.seconds)

    def confirmed(self, now: float) -> bool:
        """Whether the lease is surely ours for a while yet: renewed every third of its length,
        a renewal may take up to half of it before sending stops."""
        return now < self._until - self.seconds / 6

    def renew_on_look(self, now: float) -> bool:
        """Whether a look at the outbox should renew it on the way (half its renewal interval
        has passed): an idle worker then writes to the database once per look, not once more
        for its heartbeat."""
        return self.renewed_ago(now) > self.seconds / 6

    async def renew(self, db: Database) -> bool:
        """Take or renew it; False while another worker holds it."""
        started = asyncio.get_running_loop().time()
        self.held = await db.run(
            acquire_lease, name=self.name, owner=self.owner, now=utcnow(), lease=self.length
        )
        if self.held:
            self._until = started + self.seconds
        return self.held

    def let_go(self, session: Session) -> None:
        """A clean stop: no pause left recorded, and the lease free for a successor at once."""
        clear_pause(session=session, name=self.name, owner=self.owner)
        release_lease(session=session, name=self.name, owner=self.owner)
