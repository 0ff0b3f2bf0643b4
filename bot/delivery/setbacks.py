"""Errors that keep the delivery worker from working (the database locked or restarting, a bug
in a query): one pause at a time, logged when it begins (with the first error's traceback) and
when it ends, never once a try; each part of the worker that failed retries on its own backoff.

    setbacks = Setbacks("delivery")
    delay = setbacks.failed("dispatch", exc)   # logs only if this begins a pause
    ...
    setbacks.succeeded("dispatch")             # True if that ended the pause
"""

from __future__ import annotations

import logging
from datetime import datetime

from kernel.clock import utcnow

logger = logging.getLogger(__name__)

BACKOFF = (1.0, 2.0, 4.0, 8.0, 15.0, 30.0)
"""Seconds before the next try after 1, 2, 3 … failures in a row (then 30 s each)."""


def describe(exc: BaseException, *, secret: str | None = None) -> str:
    """One line for people: the error's type and the first line of its message (for a database
    error, the driver's, without the SQL), the secret (the bot token) masked."""
    orig = getattr(exc, "orig", None)  # SQLAlchemy wraps the driver's exception
    root = orig if isinstance(orig, BaseException) else exc
    text = str(root).strip()
    first = text.splitlines()[0].strip() if text else ""
    line = f"{type(root).__name__}: {first}" if first else type(root).__name__
    if secret:
        line = line.replace(secret, "[token]")
    return line[:255]


def backoff(failures: int) -> float:
    """The wait before the next try after `failures` failures in a row."""
    return BACKOFF[min(max(failures, 1), len(BACKOFF)) - 1]


class Setbacks:
    """The pause of one worker: which of its parts are failing, since when, and why."""

    def __init__(self, what: str, *, secret: str | None = None) -> None:
        self.what = what
        self.secret = secret
        self.since: datetime | None = None
        self.reason = ""
        self._failing: dict[str, int] = {}  # part → failures in a row

    @property
    def paused(self) -> bool:
        return self.since is not None

    def failed(self, part: str, exc: BaseException) -> float:
        """Note that `part` failed with `exc`; returns the seconds it should wait to try again."""
        reason = describe(exc, secret=self.secret)
        failures = self._failing.get(part, 0) + 1
        self._failing[part] = failures
        if self.since is None:
            self.since, self.reason = utcnow(), reason
            logger.error(
                "%s paused by an error: %s; retrying with backoff",
                self.what,
                reason,
                exc_info=exc,
            )
        elif reason != self.reason:
            self.reason = reason
            logger.info("%s still paused: %s (%s)", self.what, reason, part)
        else:
            logger.debug("%s still paused: %s (%s, try %s)", self.what, reason, part, failures)
        return backoff(failures)

    def succeeded(self, part: str) -> bool:
        """Note that `part` works; True if that ended the pause."""
        if self._failing.pop(part, None) is None or self._failing or self.since is None:
            return False
        seconds = (utcnow() - self.since).total_seconds()
        logger.info("%s resumed after %.0f s paused by: %s", self.what, seconds, self.reason)
        self.since, self.reason = None, ""
        return True
