"""What Telegram's answer means for an outbox row: a table of cases, no server, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.delivery import outcomes
from bot.delivery.transport import AnswerLost
from storage.models.notices import DeliveryStatus
from storage.queries.outbox.due import DueDelivery

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FIRST_ERROR = NOW - timedelta(minutes=10)


def row(*, attempts: int = 0, first_error_at: datetime | None = None) -> DueDelivery:
    return DueDelivery(
        id=7,
        notice_id=3,
        chat_id=5001,
        attempts=attempts,
        first_error_at=first_error_at,
        language="en",
        blocked=False,
        parts_sent=1,
    )


CASES = [
    # (what happened, the row, status, attempts, next attempt, first error at, error text)
    ("accepted", None, row(), DeliveryStatus.SENT, 1, NOW, None, None),
    (
        "429 waits retry_after",
        RetryAfter(timedelta(seconds=7)),
        row(attempts=2),
        DeliveryStatus.RETRYING,
        3,
        NOW + timedelta(seconds=7),
        None,
        "429 retry after 7 s",
    ),
    (
        "403 blocked",
        Forbidden("Forbidden: bot was blocked by the user"),
        row(),
        DeliveryStatus.BLOCKED,
        0,
        NOW,
        None,
        "Forbidden: bot was blocked by the user",
    ),
    (
        "400 chat not found fails for good",
        BadRequest("Chat not found"),
        row(),
        DeliveryStatus.FAILED,
        1,
        NOW,
        None,
        "Chat not found",
    ),
    (
        "a first timeout retries after 30 s",
        TimedOut(),
        row(),
        DeliveryStatus.RETRYING,
        1,
        NOW + timedelta(seconds=30),
        NOW,
        "Timed out",
    ),
    (
        "a send with no answer is unknown and never sent again",
        AnswerLost("none within 60 s"),
        row(attempts=1),
        DeliveryStatus.UNKNOWN,
        2,
        NOW,
        None,
        "no answer from Telegram (none within 60 s)",
    ),
    (
        "a third 5xx backs off 2 min from the first error",
        NetworkError("Bad Gateway"),
        row(attempts=2, first_error_at=FIRST_ERROR),
        DeliveryStatus.RETRYING,
        3,
        NOW + timedelta(minutes=2),
        FIRST_ERROR,
        "Bad Gateway",
    ),
    (
        "a connection error is retried too",
        ConnectionResetError(),
        row(),
        DeliveryStatus.RETRYING,
        1,
        NOW + timedelta(seconds=30),
        NOW,
        "ConnectionResetError",
    ),
    (
        "backoff is capped at 30 min",
        NetworkError("Internal Server Error"),
        row(attempts=12, first_error_at=FIRST_ERROR),
        DeliveryStatus.RETRYING,
        13,
        NOW + timedelta(minutes=30),
        FIRST_ERROR,
        "Internal Server Error",
    ),
    (
        "5xx past the retry window fails",
        NetworkError("Bad Gateway"),
        row(attempts=9, first_error_at=NOW - outcomes.RETRY_WINDOW),
        DeliveryStatus.FAILED,
        10,
        NOW,
        NOW - outcomes.RETRY_WINDOW,
        "Bad Gateway",
    ),
    (
        "a bug fails the row, not the broadcast",
        ValueError("oops"),
        row(attempts=1),
        DeliveryStatus.FAILED,
        1,
        NOW,
        None,
        "internal: ValueError('oops')",
    ),
]


@pytest.mark.parametrize(
    ("error", "before", "status", "attempts", "next_at", "first_error_at", "text"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_answer_from_telegram_gives_its_outcome(
    error: BaseException | None,
    before: DueDelivery,
    status: DeliveryStatus,
    attempts: int,
    next_at: datetime,
    first_error_at: datetime | None,
    text: str | None,
) -> None:
    outcome = outcomes.classify(before, error, parts_sent=2, now=NOW)
    result = outcome.result
    assert result.id == before.id and result.status is status
    assert result.attempts == attempts
    assert result.next_attempt_at == next_at
    assert result.first_error_at == first_error_at
    assert result.last_error == text
    assert result.sent_at == (NOW if status is DeliveryStatus.SENT else None)
    assert result.parts_sent == 2  # the parts the chat has, whatever came after
    assert outcome.blocks_chat == (status is DeliveryStatus.BLOCKED)
    assert outcome.pause_sending == (7.0 if isinstance(error, RetryAfter) else 0.0)
    assert outcome.unexpected == isinstance(error, ValueError)


def test_a_row_whose_notice_is_gone_or_whose_person_blocked_the_bot_is_closed_untried() -> None:
    gone = outcomes.notice_gone(row(attempts=1), now=NOW).result
    assert (gone.status, gone.attempts, gone.last_error) == (
        DeliveryStatus.FAILED,
        1,
        "notice no longer exists",
    )
    blocked = outcomes.chat_blocked(row(), now=NOW).result
    assert (blocked.status, blocked.last_error, blocked.parts_sent) == (
        DeliveryStatus.BLOCKED,
        "blocked by the user",
        1,
    )


@pytest.mark.parametrize(("attempts", "seconds"), [(1, 30), (2, 60), (3, 120), (7, 1800)])
def test_backoff_doubles_from_30_seconds_up_to_30_minutes(attempts: int, seconds: int) -> None:
    assert outcomes.backoff(attempts) == timedelta(seconds=seconds)
