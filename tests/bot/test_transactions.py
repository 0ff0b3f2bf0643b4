"""A chat update costs PostgreSQL at most two transactions: the person's load (a read) and the
update's own change; a command that changes nothing, one read for the person and one for what
it shows. Counted by PostgreSQL itself (pg_stat_database) on a database only this bot uses."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import select

from storage.models import Category
from tests.conftest import USE_POSTGRES
from tests.harness import BotHarness

pytestmark = pytest.mark.skipif(not USE_POSTGRES, reason="counts PostgreSQL's own statistics")

FIRM = 7101
ATTEMPTS = 3
"""An autovacuum worker visiting the test database adds transactions, never removes any: the
fewest seen over a few tries of the same action is the action's own count."""


def committed_and_rolled_back(bot: BotHarness) -> int:
    """xact_commit + xact_rollback of the bot's database, once every backend of it has ended
    (a backend flushes its statistics when it exits) and the figure holds still; less one for
    each session, whose start-up reads the catalogue in a transaction of its own."""
    url = make_url(bot.db.url)
    admin = create_engine(
        url.set(database="postgres", drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
    )
    bot.db.engine.dispose()  # close the pool: its backends exit and flush what they counted
    try:
        deadline = time.monotonic() + 30
        last: int | None = None
        while time.monotonic() < deadline:
            with admin.connect() as conn:
                busy = conn.execute(
                    text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name"),
                    {"name": url.database},
                ).scalar_one()
                total = conn.execute(
                    text(
                        "SELECT xact_commit + xact_rollback - sessions FROM pg_stat_database"
                        " WHERE datname = :name"
                    ),
                    {"name": url.database},
                ).scalar_one()
            if busy == 0 and total == last:
                return int(total)
            last = int(total) if busy == 0 else None
            time.sleep(0.2)
        raise AssertionError("the bot's database never went quiet")
    finally:
        admin.dispose()


async def transactions_of(bot: BotHarness, action: Callable[[], Awaitable[object]]) -> int:
    """The fewest transactions PostgreSQL counted for `action` over ATTEMPTS tries."""
    counts = []
    for _ in range(ATTEMPTS):
        await bot.settle()
        before = await asyncio.to_thread(committed_and_rolled_back, bot)
        await action()
        await bot.settle()
        counts.append(await asyncio.to_thread(committed_and_rolled_back, bot) - before)
    return min(counts)


async def test_a_subscribe_press_and_a_plain_command_cost_two_transactions_at_most(
    bot: BotHarness,
) -> None:
    await bot.quiet()
    await bot.say(FIRM, "/subscribe", language_code="en", first_name="Ada", username="ada")
    with bot.db.transaction() as session:
        cns = session.exec(select(Category.id).where(Category.code == "cns")).one()

    async def press() -> None:
        await bot.press(FIRM, f"sub:t:{cns}", language_code="en")

    async def mysubs() -> None:
        await bot.say(FIRM, "/mysubs", language_code="en", first_name="Ada", username="ada")

    pressed = await transactions_of(bot, press)
    listed = await transactions_of(bot, mysubs)
    print(f"transactions per update: /subscribe press {pressed}, /mysubs {listed}")  # noqa: T201
    assert pressed <= 2
    assert listed <= 2
