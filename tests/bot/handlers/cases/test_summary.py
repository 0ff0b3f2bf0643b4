"""/summary in chat: a month in the ROC calendar, a half-year's or a year's analysis, with
their files."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.handlers.cases import shared
from storage.models import Role
from tests.bot.handlers.test_assessment import documents
from tests.factories import person
from tests.harness import BotHarness

SECRETARY = 7101
NOW = datetime(2027, 7, 2, 2, 0, tzinfo=UTC)  # 10:00 in Taipei, Friday 2 July 2027


async def test_summary_in_chat_can_show_the_roc_calendar(bot: BotHarness) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    reply = await bot.say(SECRETARY, "/summary 2026-05 roc")
    assert "民國 115 年 5 月" in reply and "沒有任何案件" in reply
    await bot.wait_until(
        lambda: len(bot.fake.calls("sendDocument", chat_id=SECRETARY)) >= 3,
        what="the HTML, CSV and PNG reports sent to the secretary",
    )


async def test_summary_takes_a_half_year_and_a_year(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shared, "utcnow", lambda: NOW)
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    reply = await bot.say(SECRETARY, "/summary 2027-H1")
    assert "116 年上半年案件分析" in reply and "收件 0 件" in reply
    await bot.wait_until(
        lambda: "complaints-2027-H1.png" in documents(bot, SECRETARY),
        what="the half-year analysis files",
    )
    assert documents(bot, SECRETARY)[0] == "complaints-2027-H1.html"
    reply = await bot.say(SECRETARY, "/summary 2028")
    assert "2028 尚未開始" in reply
    reply = await bot.say(SECRETARY, "/summary 2027-H2")
    assert "不是有效的期間" in reply
