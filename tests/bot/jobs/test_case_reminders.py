"""The reminder job writes what is due to the outbox and the worker sends it: once, not again
after a restart (even one in the middle of sending), and a message that failed is retried to
its recipient only."""

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
    await bot.outbox_sent()  # the news of the assignment
    news = len(bot.fake.calls("sendMessage", chat_id=INSPECTOR))
    assert bot.app is not None
    services = bot.app.bot_data["services"]
    assert await run_reminders_once(services, at(half)) == 1
    await bot.fake.async_wait_for("sendMessage", chat_id=INSPECTOR, count=news + 1)
    assert number in bot.fake.last_text(INSPECTOR)
    await bot.restart()
    assert bot.app is not None
    services = bot.app.bot_data["services"]
    assert await run_reminders_once(services, at(half, 10)) == 0
    await bot.outbox_sent()
    assert len(bot.fake.calls("sendMessage", chat_id=INSPECTOR)) == news + 1
    assert bot.fake.calls("sendMessage", chat_id=OTHER_INSPECTOR) == []


async def test_a_reminder_is_not_sent_twice_when_the_bot_stops_in_the_middle_of_sending_it(
    bot: BotHarness,
) -> None:
    number, half, _ = setup_case(bot.db)
    await bot.outbox_sent()  # the news of the assignment
    news = len(bot.fake.sent(INSPECTOR))
    assert bot.app is not None
    bot.fake.slow("sendMessage", seconds=1.0, chat_id=INSPECTOR)
    assert await run_reminders_once(bot.app.bot_data["services"], at(half)) == 1
    await bot.wait_until(
        lambda: len(bot.fake.sent(INSPECTOR)) > news, what="the reminder delivered, no answer yet"
    )
    await bot.restart()  # stopped while Telegram has not answered the send yet
    assert bot.app is not None
    assert await run_reminders_once(bot.app.bot_data["services"], at(half, 10)) == 0
    await bot.outbox_sent()
    delivered = [c for c in bot.fake.calls("sendMessage", chat_id=INSPECTOR) if c.ok][news:]
    assert len(delivered) == 1 and "⏰" in (delivered[0].text or "")


async def test_a_reminder_that_failed_to_send_is_retried_only_to_its_recipient(
    bot: BotHarness,
) -> None:
    number, half, _ = setup_case(bot.db)
    person(bot.db, INSPECTOR + 100, Role.INSPECTOR, unit="sec2")
    await bot.outbox_sent()  # the news of the assignment
    news = len(bot.fake.calls("sendMessage", chat_id=INSPECTOR))
    assert bot.app is not None
    services = bot.app.bot_data["services"]
    bot.fake.fail("sendMessage", chat_id=INSPECTOR, status=500, times=1)
    assert await run_reminders_once(services, at(half)) == 2
    assert await run_reminders_once(services, at(half, 9, 6)) == 0
    await bot.wait_until(
        lambda: (
            len([c for c in bot.fake.calls("sendMessage", chat_id=INSPECTOR) if c.ok]) == news + 1
        ),
        what="the failed reminder sent again",
    )
    await bot.outbox_sent()
    assert await run_reminders_once(services, at(half, 9, 7)) == 0
    delivered = [c for c in bot.fake.calls("sendMessage") if c.ok and "⏰" in (c.text or "")]
    assert sorted(int(c.chat_id) for c in delivered) == [INSPECTOR, INSPECTOR + 100]
