"""/cases: open, overdue and mine, paged, the largest lists accepted by Telegram, never calling
a paused or replied case late; refused to firms."""

from __future__ import annotations

import asyncio
from datetime import date

from storage.models import Role
from tests.bot.handlers.cases.helpers import (
    FIRM,
    SECRETARY,
)
from tests.factories import do, file_on, person
from tests.harness import BotHarness

OTHER_FIRM = 6005


async def test_cases_lists_open_cases_with_paging(bot: BotHarness) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    from datetime import date

    from tests.factories import file_on

    for _ in range(12):
        file_on(bot.db, date(2026, 11, 2))
    reply = await bot.say(SECRETARY, "/cases", language_code="en")
    assert "Open cases</b> (12)" in reply and "P2026-00010" in reply
    assert "P2026-00011" not in reply
    reply = await bot.press(SECRETARY, "case:list:open:10", language_code="en")
    assert "P2026-00011" in reply and "P2026-00012" in reply
    reply = await bot.say(SECRETARY, "/cases sometimes", language_code="en")
    assert "Usage: /cases" in reply


async def test_a_firm_is_refused_the_staff_commands(bot: BotHarness) -> None:
    assert "權限" in await bot.say(OTHER_FIRM, "/cases")
    assert "權限" in await bot.say(OTHER_FIRM, "/summary")


async def test_the_open_list_does_not_call_a_paused_or_replied_case_late(bot: BotHarness) -> None:
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    waiting = file_on(bot.db, date(2026, 1, 5))
    replied = file_on(bot.db, date(2026, 1, 5))
    running = file_on(bot.db, date(2026, 1, 5))
    for filed in (waiting, replied, running):
        do(bot.db, filed.number, "assign", secretary, date(2026, 1, 6), unit="sec1")
    do(bot.db, waiting.number, "ask", secretary, date(2026, 1, 7), text="Which shop?")
    do(bot.db, replied.number, "reply", secretary, date(2026, 1, 7), text="Handled.")
    listing = await bot.say(SECRETARY, "/cases", language_code="en")
    lines = {line.split("</code>")[0][6:]: line for line in listing.splitlines()[1:]}
    assert "late" not in lines[waiting.number] and "late" not in lines[replied.number]
    assert "calendar days late" in lines[running.number]


async def test_pressing_the_tab_already_shown_or_assign_twice_is_no_error(
    bot: BotHarness,
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    filed = file_on(bot.db, date(2026, 11, 2))
    await bot.say(SECRETARY, "/cases", language_code="en")
    bot.fake.press_button(SECRETARY, "case:list:open:0", language_code="en")
    await bot.say(SECRETARY, f"/case {filed.number}", language_code="en")
    for _ in range(2):
        bot.fake.press_button(SECRETARY, f"case:a:assign:{filed.number}", language_code="en")
    bot.fake.press_button(SECRETARY, "case:list:open", language_code="en")  # a cut-off button
    await bot.say(SECRETARY, "/cases overdue", language_code="en")
    await asyncio.sleep(0.5)
    texts = [m.get("text") or "" for m in bot.fake.sent(SECRETARY)]
    assert not any("error" in text.lower() or "錯誤" in text for text in texts)


async def test_the_largest_case_lists_status_and_summary_are_accepted(bot: BotHarness) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    reporter = person(bot.db, FIRM)
    for day in range(1, 29):
        file_on(bot.db, date(2026, 10, day), reporter=reporter, subject="<&" * 250)
    for which in ("mine", "overdue", "open"):
        listing = await bot.say(SECRETARY, f"/cases {which}", language_code="en")
        assert "cases</b>" in listing
    page = bot.fake.button_data(SECRETARY, "▶")
    assert "Open cases" in await bot.press(SECRETARY, page, language_code="en")
    status = await bot.say(FIRM, "/status", language_code="en")
    assert "Your cases" in status
    assert bot.fake.button_data(FIRM, "▶").startswith("rep:status:")
    summary = await bot.say(SECRETARY, "/summary 2026-10", language_code="en")
    assert "Received 28" in summary
    await bot.fake.async_wait_for("sendDocument", chat_id=SECRETARY, count=3)
    assert all(call.ok for call in bot.fake.calls())
