"""The digest loop's step in a running application: before 08:30, on a day off and once the
day's digests are written it opens no transaction at all (an idle bot's database stays quiet);
at 08:30 on a working day it writes the day's digests once. The digests' own rules are
tests/bot/mail/test_digests.py."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.edge.context import Services
from bot.jobs import mail_digests
from bot.notices.publishing import publish
from kernel import workcalendar
from storage.models.mail import EmailDigest
from tests.bot.mail.conftest import add_subscribers
from tests.harness import BotHarness

TZ = ZoneInfo("Asia/Taipei")
MONDAY = date(2027, 3, 8)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=TZ)


@contextmanager
def transactions(services: Services) -> Iterator[list[str]]:
    """Every unit of work the calling task asks of the application's database while inside
    (each `run` or `run_read` is one transaction). Another task's work, such as the
    persistence's flush on a loaded machine, is not counted: it is not the step's."""
    asked: list[str] = []
    step_task = asyncio.current_task()
    run, run_read = services.db.run, services.db.run_read

    def counted(
        name: str, method: Callable[..., Awaitable[object]]
    ) -> Callable[..., Awaitable[object]]:
        async def call(*args: object, **kwargs: object) -> object:
            if asyncio.current_task() is step_task:
                asked.append(name)
            return await method(*args, **kwargs)

        return call

    services.db.run = counted("run", run)  # type: ignore[method-assign]
    services.db.run_read = counted("run_read", run_read)  # type: ignore[method-assign]
    try:
        yield asked
    finally:
        services.db.run, services.db.run_read = run, run_read  # type: ignore[method-assign]


def digest_days(bot: BotHarness) -> list[tuple[str, date]]:
    with bot.db.reading() as session:
        rows = session.exec(select(EmailDigest).order_by(col(EmailDigest.id))).all()
        return [(d.frequency, d.day) for d in rows]


async def test_the_step_is_silent_outside_0830_on_working_days_and_writes_the_day_once(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert bot.app is not None and workcalendar.is_working_day(MONDAY)
    await bot.quiet()
    services: Services = bot.app.bot_data["services"]
    bot.db.call(
        lambda session: add_subscribers(
            session, {"mei@example.com": "daily"}, codes=("rpc",), now=at(date(2027, 3, 1), 9),
            language="zh-TW",
        )
    )  # fmt: skip
    bot.db.call(
        lambda session: publish(
            session, title="新制公告", body="內容", codes=["rpc"], created_by_id=None,
            now=at(date(2027, 3, 5), 10), archive=True,
        )
    )  # fmt: skip
    bot.app.bot_data.pop(mail_digests.DONE, None)
    saturday = date(2027, 3, 6)
    assert not workcalendar.is_working_day(saturday)

    for now in (at(MONDAY, 8, 29), at(saturday, 9), at(saturday, 23, 59)):
        monkeypatch.setattr(mail_digests, "utcnow", lambda now=now: now)
        with transactions(services) as begun:
            await mail_digests.step(bot.app)
        assert begun == [], now  # no transaction, not even a read
    assert digest_days(bot) == []

    monkeypatch.setattr(mail_digests, "utcnow", lambda: at(MONDAY, 8, 30))
    with transactions(services) as begun:
        await mail_digests.step(bot.app)
    assert begun  # the day's digests are written
    assert digest_days(bot) == [("daily", MONDAY)]
    assert bot.app.bot_data[mail_digests.DONE] == MONDAY

    for now in (at(MONDAY, 8, 31), at(MONDAY, 17)):
        monkeypatch.setattr(mail_digests, "utcnow", lambda now=now: now)
        with transactions(services) as begun:
            await mail_digests.step(bot.app)
        assert begun == [], now  # written today: the rest of the day is quiet
    assert digest_days(bot) == [("daily", MONDAY)]

    await bot.restart()  # a new process knows nothing: it looks once, and writes nothing twice
    assert bot.app is not None
    await bot.quiet()
    services = bot.app.bot_data["services"]
    monkeypatch.setattr(mail_digests, "utcnow", lambda: at(MONDAY, 10))
    with transactions(services) as begun:
        await mail_digests.step(bot.app)
    assert begun
    assert digest_days(bot) == [("daily", MONDAY)]
    assert bot.app.bot_data[mail_digests.DONE] == MONDAY
