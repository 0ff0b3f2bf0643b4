"""/status: the petitioner's cases in everyday words with ROC dates in Chinese."""

from __future__ import annotations

import re
from datetime import date

from bot.cases.actions import Action
from storage.models import Role
from tests.factories import do, file_on, person
from tests.harness import BotHarness

FIRM = 8101
SECRETARY = 8102
DAY = date(2026, 11, 2)
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
ROC_DATE = re.compile(r"\b11\d/\d\d/\d\d\b")


async def test_status_shows_everyday_state_names_and_roc_dates(bot: BotHarness) -> None:
    reporter = person(bot.db, FIRM)
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    first = file_on(bot.db, DAY, reporter=reporter, subject="行動電源 A")
    second = file_on(bot.db, DAY, reporter=reporter, subject="延長線 B")
    third = file_on(bot.db, DAY, reporter=reporter, subject="電暖器 C")
    do(bot.db, first.number, Action.ASSIGN, secretary, DAY, unit="sec1")
    do(bot.db, second.number, Action.DUPLICATE, secretary, DAY, text=first.number)
    do(bot.db, third.number, Action.ASSIGN, secretary, DAY, unit="sec2")
    do(bot.db, third.number, Action.INVESTIGATE, secretary, DAY)

    status = await bot.say(FIRM, "/status")
    for everyday in ("已分派承辦單位", "已併案處理", "查核中"):
        assert everyday in status
    for internal in ("已分案", "重複案件", "調查中", "依限辦結"):
        assert internal not in status
    assert ROC_DATE.search(status) and not ISO_DATE.search(status)

    english = await bot.say(FIRM, "/status", language_code="en")
    assert "passed to the unit in charge" in english and "being checked" in english
