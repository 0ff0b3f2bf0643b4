"""What one send attempt means for its outbox row: a pure function of the row, what Telegram
answered (nothing, i.e. accepted, or an exception) and the time; no I/O, no clock of its own.

    accepted                          → sent
    sent, no answer came back         → unknown: it may have arrived, so it is never sent again
                                        (the product rule: a second copy only if the process
                                        died between Telegram accepting and the row's write)
    429 Too Many Requests             → retrying after `retry_after`; the whole worker pauses
                                        that long (Telegram's flood wait is the bot's)
    403 Forbidden (bot blocked)       → blocked; the person is marked blocked, their rows closed
    400 Bad Request (chat not found…) → failed for good
    timeouts, 5xx, connection trouble → retrying with backoff (30 s, 60 s … 30 min; for case
                                        news and reminders 2 s, 4 s …) until RETRY_WINDOW
                                        after the first such error, then failed
    anything else (a bug)             → failed, logged with its traceback by the worker
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.delivery.transport import AnswerLost
from storage.models.notices import URGENT, DeliveryStatus
from storage.queries.outbox.due import DueDelivery
from storage.queries.outbox.results import DeliveryResult

RETRY_WINDOW = timedelta(hours=3)
"""Timeouts and server errors are retried with backoff for this long, then the row fails."""
BACKOFF_FIRST = 30.0
URGENT_BACKOFF_FIRST = 2.0
"""A single message to one person (a case reply, a reminder) is tried again sooner: a broadcast
backs off gently for Telegram's sake, one reply waiting 30 s for a passing 502 helps nobody."""
BACKOFF_MAX = 30 * 60.0


def backoff(attempts: int, *, first: float = BACKOFF_FIRST) -> timedelta:
    """30 s, 60 s, 2 min … (from `first`) capped at 30 min."""
    return timedelta(seconds=min(BACKOFF_MAX, first * 2 ** max(0, attempts - 1)))


def retry_after_seconds(exc: RetryAfter) -> float:
    """`retry_after` in seconds, whichever shape this python-telegram-bot version gives."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


@dataclass(frozen=True)
class Outcome:
    """The row as it is to be written, and what the worker does besides."""

    result: DeliveryResult
    pause_sending: float = 0.0
    """Seconds before anything may be sent to any chat again (a 429's `retry_after`)."""
    blocks_chat: bool = False
    """The person blocked the bot: mark them blocked and close their other open rows."""
    unexpected: bool = False
    """Not an answer from Telegram but a bug here: worth a traceback in the log."""

    @property
    def status(self) -> DeliveryStatus:
        return self.result.status


def _result(
    row: DueDelivery,
    status: DeliveryStatus,
    *,
    now: datetime,
    error: str | None = None,
    attempts: int | None = None,
    next_at: datetime | None = None,
    sent_at: datetime | None = None,
    first_error_at: datetime | None = None,
    parts_sent: int | None = None,
) -> DeliveryResult:
    return DeliveryResult(
        id=row.id,
        status=status,
        attempts=row.attempts if attempts is None else attempts,
        next_attempt_at=next_at or now,
        first_error_at=first_error_at or row.first_error_at,
        last_error=error,
        sent_at=sent_at,
        parts_sent=row.parts_sent if parts_sent is None else parts_sent,
    )


def classify(
    row: DueDelivery, error: BaseException | None, *, parts_sent: int, now: datetime
) -> Outcome:
    """The outcome of sending `row` at `now`: `error` None means Telegram accepted every part;
    `parts_sent` is how many messages of the notice the chat has by now (a retry goes on from
    there)."""
    done = parts_sent
    if error is None:
        return Outcome(
            _result(
                row,
                DeliveryStatus.SENT,
                now=now,
                sent_at=now,
                attempts=row.attempts + 1,
                parts_sent=done,
            )
        )
    if isinstance(error, RetryAfter):
        seconds = retry_after_seconds(error)
        return Outcome(
            _result(
                row,
                DeliveryStatus.RETRYING,
                now=now,
                error=f"429 retry after {seconds:g} s",
                attempts=row.attempts + 1,
                next_at=now + timedelta(seconds=seconds),
                parts_sent=done,
            ),
            pause_sending=seconds,
        )
    if isinstance(error, AnswerLost):
        return Outcome(
            _result(
                row,
                DeliveryStatus.UNKNOWN,
                now=now,
                error=str(error),
                attempts=row.attempts + 1,
                parts_sent=done,
            )
        )
    if isinstance(error, Forbidden):
        return Outcome(
            _result(row, DeliveryStatus.BLOCKED, now=now, error=str(error), parts_sent=done),
            blocks_chat=True,
        )
    if isinstance(error, BadRequest):
        return Outcome(
            _result(
                row,
                DeliveryStatus.FAILED,
                now=now,
                error=str(error),
                attempts=row.attempts + 1,
                parts_sent=done,
            )
        )
    if isinstance(error, TelegramError | OSError):  # timeouts, 5xx, connection trouble
        first = row.first_error_at or now
        attempts = row.attempts + 1
        if now - first >= RETRY_WINDOW:
            return Outcome(
                _result(
                    row,
                    DeliveryStatus.FAILED,
                    now=now,
                    error=str(error),
                    attempts=attempts,
                    parts_sent=done,
                )
            )
        return Outcome(
            _result(
                row,
                DeliveryStatus.RETRYING,
                now=now,
                error=str(error) or type(error).__name__,
                attempts=attempts,
                next_at=now
                + backoff(
                    attempts,
                    first=URGENT_BACKOFF_FIRST if row.priority == URGENT else BACKOFF_FIRST,
                ),
                first_error_at=first,
                parts_sent=done,
            )
        )
    return Outcome(
        _result(
            row, DeliveryStatus.FAILED, now=now, error=f"internal: {error!r}", parts_sent=done
        ),
        unexpected=True,
    )


def notice_gone(row: DueDelivery, *, now: datetime) -> Outcome:
    """The row's notice was deleted: nothing to send, ever."""
    return Outcome(_result(row, DeliveryStatus.FAILED, now=now, error="notice no longer exists"))


def skipped(row: DueDelivery, *, now: datetime) -> Outcome:
    """The chat no longer wants messages of this kind (it turned reminders off): not sent."""
    return Outcome(_result(row, DeliveryStatus.FAILED, now=now, error="skipped: reminders off"))


def chat_blocked(row: DueDelivery, *, now: datetime) -> Outcome:
    """The person had blocked the bot before the row's turn came: not even tried."""
    return Outcome(_result(row, DeliveryStatus.BLOCKED, now=now, error="blocked by the user"))
