"""Showing a case: a case another unit's inspector may not see is refused the same way on every
path (and audited), a stale files button or an odd number is one clear line, and a forged
button gets the stale answer, never a traceback."""

from __future__ import annotations

import logging

import pytest

from storage.models import Role
from tests.bot.handlers.cases.helpers import (
    ELSEWHERE,
    INSPECTOR,
    NAME,
    PHONE,
    SECRETARY,
    audit,
    forged_button_is_stale,
    refusals,
    staff_and_case,
)
from tests.factories import person
from tests.harness import BotHarness


async def test_a_stale_files_button_says_the_case_is_not_found_not_an_internal_error(
    bot: BotHarness,
) -> None:
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    reply = await bot.press(INSPECTOR, "case:files:P2026-09999", language_code="en")
    assert "There is no case P2026-09999" in reply


async def test_an_inspector_of_another_unit_probing_a_case_is_refused_and_audited(
    bot: BotHarness,
) -> None:
    number = staff_and_case(bot)
    refused = await bot.say(ELSEWHERE, f"/case {number}", language_code="en")
    assert f"There is no case {number}" in refused
    await bot.press(ELSEWHERE, f"case:show:{number}", language_code="en")
    await bot.press(ELSEWHERE, f"case:files:{number}", language_code="en")
    await bot.press(ELSEWHERE, f"case:a:note:{number}", language_code="en")
    await bot.press(ELSEWHERE, f"case:a:close:{number}", language_code="en")
    assert refusals(bot) == [
        ("case.view", number, ELSEWHERE),
        ("case.view", number, ELSEWHERE),
        ("case.files", number, ELSEWHERE),
        ("case.note", number, ELSEWHERE),
        ("case.close", number, ELSEWHERE),
    ]
    for entry in audit(bot):
        assert NAME not in (entry.detail or "") and PHONE not in (entry.detail or "")


@pytest.mark.parametrize(
    "data",
    [
        "case:a:close",
        "case:a:a:close",
        "case:a:frobnicate:P2026-00001",
        "case:a:close:P2026-０００01",
        "case:list:open:99999999999999999999999999",
        "case:list:open:²",
        "case:list:everything:0",
        "case:show:²",
        "case:files:P2026-00001:x",
        "case:unit:P2026-00001:../../x",
        "case:cat",
        "case:more:" + "9" * 40,
    ],
)
async def test_a_forged_button_gets_the_stale_answer_and_no_traceback(
    bot: BotHarness, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    await forged_button_is_stale(bot, caplog, data)


@pytest.mark.parametrize("argument", ["²", "9" * 40, "P２０２６-00001", "P2026-00001\x00"])
async def test_an_odd_case_number_is_one_clear_line(
    bot: BotHarness, caplog: pytest.LogCaptureFixture, argument: str
) -> None:
    staff_and_case(bot)
    with caplog.at_level(logging.INFO):
        reply = await bot.say(SECRETARY, f"/case {argument}", language_code="en")
    assert "is not a case number" in reply and "P2026-00042" in reply
    assert len(reply.splitlines()) == 1
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
