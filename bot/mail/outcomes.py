"""What a mail server's answer means for an e-mail's outbox row (pure): sent; a 4xx retried
with backoff like Telegram's 429; a 5xx for the recipient ends its subscription (bounced); no
answer after the message was handed over (DATA) is `unknown` and never resent blindly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from storage.models.notices import DeliveryStatus
from storage.queries.outbox.results import DeliveryResult

FIRST_RETRY = timedelta(seconds=30)
LAST_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=2)
"""A temporary refusal that lasts this long is given up (failed)."""


class Answer(StrEnum):
    SENT = "sent"
    LATER = "later"  # a 4xx, or the server could not be reached: nothing was delivered
    REFUSED = "refused"  # a 5xx for this recipient or message
    UNKNOWN = "unknown"  # handed over, no answer: it may have arrived
    DROPPED = "dropped"  # nothing to send: the address was deleted before its turn
    UNTRIED = "untried"  # taken, then the sender stopped before its turn: back in the outbox


@dataclass(frozen=True)
class Attempt:
    """What one send did: the answer, the server's code and words."""

    answer: Answer
    code: int | None = None
    detail: str = ""


def result_of(
    attempt: Attempt, *, row_id: int, attempts: int, first_error_at: datetime | None, now: datetime
) -> DeliveryResult:
    """The row's new state after `attempt`."""
    tried = attempts + 1
    error = f"{attempt.code} {attempt.detail}".strip() if attempt.code else attempt.detail
    if attempt.answer is Answer.SENT:
        return DeliveryResult(row_id, DeliveryStatus.SENT, tried, now, first_error_at, None, now)
    first = first_error_at or now
    if attempt.answer is Answer.UNKNOWN:
        note = f"no answer after the message was handed over: {error}"
        return DeliveryResult(row_id, DeliveryStatus.UNKNOWN, tried, now, first, note)
    if attempt.answer is Answer.UNTRIED:
        return DeliveryResult(row_id, DeliveryStatus.PENDING, attempts, now, first_error_at)
    if attempt.answer is Answer.DROPPED:
        return DeliveryResult(row_id, DeliveryStatus.FAILED, attempts, now, first, error)
    if attempt.answer is Answer.REFUSED:
        return DeliveryResult(
            row_id, DeliveryStatus.FAILED, tried, now, first, f"bounced: {error}"
        )
    if now - first >= GIVE_UP_AFTER:
        return DeliveryResult(
            row_id, DeliveryStatus.FAILED, tried, now, first, f"gave up: {error}"
        )
    wait = min(FIRST_RETRY * 2 ** (tried - 1), LAST_RETRY)
    return DeliveryResult(row_id, DeliveryStatus.RETRYING, tried, now + wait, first, error)
