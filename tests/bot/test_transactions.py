"""A chat update from a person already known costs one transaction: the person's read is held
open for the update's first database call, which continues it (a /subscribe press writes its
toggle in it, /mysubs reads its list). Counted by PostgreSQL itself (pg_stat_database) on a
database only this bot uses, and by the engine's own begin events on both backends: on SQLite a
write ends the read and begins IMMEDIATE, so a press is a read and a write there."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import select

from kernel.i18n import t
from storage.models import Category, Subscription
from tests.conftest import USE_POSTGRES
from tests.harness import BotHarness
from tests.statements import begun_transactions, recorded_statements, writes

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


async def subscribed_firm(bot: BotHarness) -> int:
    """FIRM met and shown /subscribe, the background work stopped; the id of category cns."""
    await bot.quiet()
    await bot.say(FIRM, "/subscribe", language_code="en", first_name="Ada", username="ada")
    await bot.settle()
    with bot.db.transaction() as session:
        return session.exec(select(Category.id).where(Category.code == "cns")).one()


async def test_a_press_and_a_command_begin_one_transaction_and_only_a_write_takes_the_lock(
    bot: BotHarness,
) -> None:
    cns = await subscribed_firm(bot)
    with (
        recorded_statements(bot.db.engine) as listed_sql,
        begun_transactions(bot.db.engine) as listed,
    ):
        reply = await bot.say(
            FIRM, "/mysubs", language_code="en", first_name="Ada", username="ada"
        )
        await bot.settle()
    assert reply == t("en", "subs.none")
    assert listed == ["read"] and writes(listed_sql) == []
    with (
        recorded_statements(bot.db.engine) as pressed_sql,
        begun_transactions(bot.db.engine) as pressed,
    ):
        await bot.press(FIRM, f"sub:t:{cns}", language_code="en")
        await bot.settle()
    with bot.db.reading() as session:
        assert session.exec(select(Subscription.category_id)).all() == [cns]
    if bot.db.backend == "sqlite":
        assert pressed == ["read", "write"]  # the read ends; a writer begins IMMEDIATE
    else:
        assert pressed == ["read"]  # the person's read continued by the toggle
    assert [s.split()[0] for s in writes(pressed_sql)] == [
        *(["BEGIN"] if bot.db.backend == "sqlite" else []),
        "INSERT",
        "UPDATE",
    ]


@pytest.mark.skipif(not USE_POSTGRES, reason="counts PostgreSQL's own statistics")
async def test_a_subscribe_press_and_a_plain_command_cost_postgresql_one_transaction_each(
    bot: BotHarness,
) -> None:
    cns = await subscribed_firm(bot)

    async def press() -> None:
        await bot.press(FIRM, f"sub:t:{cns}", language_code="en")

    async def mysubs() -> None:
        await bot.say(FIRM, "/mysubs", language_code="en", first_name="Ada", username="ada")

    pressed = await transactions_of(bot, press)
    listed = await transactions_of(bot, mysubs)
    print(f"transactions per update: /subscribe press {pressed}, /mysubs {listed}")  # noqa: T201
    assert pressed == 1
    assert listed == 1
