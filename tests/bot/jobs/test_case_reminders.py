"""The reminder job sends what the domain claimed: once, not again after a restart, and a
message that failed goes out on the next round to its recipient only."""

from __future__ import annotations

from bot.jobs.case_reminders import run_reminders_once
from storage.models import Role
from tests.bot.cases.test_reminders import INSPECTOR, OTHER_INSPECTOR, at, setup_case
from tests.factories import person
from tests.harness import BotHarness


async def test_reminders_go_out_through_the_bot_and_not_twice_after_a_restart(
    bot: BotHarness,
) -> None:
    number, half, _ = setup_case(bot.db)
    assert bot.app is not None
    services = bot.app.bot_data["services"]
    assert await run_reminders_once(bot.app.bot, services, at(half)) == 1
    await bot.fake.async_wait_for("sendMessage", chat_id=INSPECTOR)
    assert number in bot.fake.last_text(INSPECTOR)
    await bot.restart()
    assert bot.app is not None
    services = bot.app.bot_data["services"]
    assert await run_reminders_once(bot.app.bot, services, at(half, 10)) == 0
    assert len(bot.fake.calls("sendMessage", chat_id=INSPECTOR)) == 1
    assert bot.fake.calls("sendMessage", chat_id=OTHER_INSPECTOR) == []


async def test_a_reminder_that_failed_to_send_is_sent_on_the_next_round_only_to_its_recipient(
    bot: BotHarness,
) -> None:
    number, half, _ = setup_case(bot.db)
    person(bot.db, INSPECTOR + 100, Role.INSPECTOR, unit="sec2")
    assert bot.app is not None
    services = bot.app.bot_data["services"]
    bot.fake.fail("sendMessage", chat_id=INSPECTOR, status=500, times=1)
    assert await run_reminders_once(bot.app.bot, services, at(half)) == 1
    assert await run_reminders_once(bot.app.bot, services, at(half, 9, 6)) == 1
    assert await run_reminders_once(bot.app.bot, services, at(half, 9, 7)) == 0
    delivered = [c for c in bot.fake.calls("sendMessage") if c.ok and number in (c.text or "")]
    assert sorted(int(c.chat_id) for c in delivered) == [INSPECTOR, INSPECTOR + 100]
