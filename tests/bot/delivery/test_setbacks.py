"""A worker's pause (`bot/delivery/setbacks.py`): logged once when it begins (with the first
error) and once when it ends, a changed reason said once more, retries on a backoff that grows
and is capped, the reason one line without SQL or the token; and the worker's pause row,
written while it lasts and deleted when delivery resumes."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from bot.delivery.setbacks import BACKOFF, Setbacks, backoff, describe
from bot.delivery.worker import DeliveryWorker
from bot.notices.status import delivery_pause
from kernel.clock import utcnow
from storage.db import Database
from tests.bot.delivery.broadcasts import add_subscribers, copies, publish, wait_done
from tests.conftest import TOKEN
from tests.fakes import FakeBotApi


def records(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.delivery.setbacks" and r.levelno == level
    ]


def test_the_backoff_grows_with_each_failure_and_is_capped() -> None:
    waits = [backoff(n) for n in range(1, 10)]
    assert waits == sorted(waits) and waits[0] == 1.0
    assert waits[len(BACKOFF) - 1 :] == [30.0] * (10 - len(BACKOFF))
    assert backoff(0) == 1.0  # never a retry without a wait


def test_a_database_error_is_described_by_the_drivers_first_line_without_its_sql(
    db: Database,
) -> None:
    with pytest.raises(SQLAlchemyError) as caught:
        db.call(lambda session: session.execute(text("SELECT * FROM no_such_table")))
    line = describe(caught.value)
    assert "no_such_table" in line and "SELECT" not in line and "\n" not in line
    assert line.split(":")[0] in ("OperationalError", "UndefinedTable")


def test_the_token_never_appears_and_a_line_fits_its_column() -> None:
    assert describe(RuntimeError(f"POST /bot{TOKEN}/sendMessage failed"), secret=TOKEN) == (
        "RuntimeError: POST /bot[token]/sendMessage failed"
    )
    assert describe(TimeoutError()) == "TimeoutError"
    assert len(describe(RuntimeError("x" * 1000))) == 255


def test_a_pause_is_logged_when_it_begins_and_ends_not_at_every_try(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.delivery.setbacks")
    setbacks = Setbacks("delivery")
    assert setbacks.failed("dispatch", RuntimeError("disk I/O error")) == 1.0
    assert setbacks.failed("dispatch", RuntimeError("disk I/O error")) == 2.0
    assert setbacks.failed("write", RuntimeError("disk I/O error")) == 1.0  # its own backoff
    assert setbacks.paused and setbacks.reason == "RuntimeError: disk I/O error"
    since = setbacks.since
    setbacks.failed("dispatch", OSError("connection refused"))  # a new reason: said once
    assert setbacks.since == since and setbacks.reason == "OSError: connection refused"
    assert not setbacks.succeeded("dispatch")  # the writes still fail: still paused
    assert setbacks.paused
    assert setbacks.succeeded("write")
    assert not setbacks.paused and setbacks.reason == ""
    assert not setbacks.succeeded("write")  # nothing was failing: no second end
    errors = records(caplog, logging.ERROR)
    assert errors == [
        "delivery paused by an error: RuntimeError: disk I/O error; retrying with backoff"
    ]
    assert [r.exc_info is not None for r in caplog.records if r.levelno == logging.ERROR] == [True]
    infos = records(caplog, logging.INFO)
    assert len(infos) == 2
    assert "still paused: OSError: connection refused" in infos[0]
    assert infos[1].startswith("delivery resumed after")
    assert len(records(caplog, logging.DEBUG)) == 2  # the quiet tries in between


async def test_a_worker_records_its_pause_while_it_lasts_and_deletes_it_when_it_delivers(
    db: Database, fake_api: FakeBotApi, worker: DeliveryWorker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.delivery")
    add_subscribers(db, [7401])
    await wait_done(db, publish(db, "Before the error"))

    def rename(session: Session, old: str, new: str) -> None:
        session.execute(text(f"ALTER TABLE {old} RENAME TO {new}"))

    db.call(rename, "delivery", "delivery_away")  # every look at the outbox fails now
    try:
        worker.wake()
        await fake_api.async_wait_until(
            lambda: db.call(delivery_pause, now=utcnow()) is not None, timeout=30
        )
        pause = db.call(delivery_pause, now=utcnow())
        assert pause is not None and pause.since == worker.setbacks.since
        assert pause.reason == worker.setbacks.reason
        # it tries again, on its backoff, without saying so above DEBUG
        await fake_api.async_wait_until(lambda: bool(records(caplog, logging.DEBUG)), timeout=30)
    finally:
        db.call(rename, "delivery_away", "delivery")
    assert "delivery" in pause.reason and "SELECT" not in pause.reason
    notice_id = publish(db, "After the error")
    await wait_done(db, notice_id, timeout=60)
    assert copies(fake_api, 7401, "After the error") == 1
    assert db.call(delivery_pause, now=utcnow()) is None
    assert len(records(caplog, logging.ERROR)) == 1
    assert len([m for m in records(caplog, logging.INFO) if "resumed" in m]) == 1
