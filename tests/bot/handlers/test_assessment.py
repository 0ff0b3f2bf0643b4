"""/assessment through the fake Bot API: the secretariat gets the period's state and the 附表2
and evidence files; an inspector is refused (and the refusal audited)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.assessment.scoring import ScoreInput, record_score
from bot.handlers.assessment import overview as assessment_handlers
from kernel.periods import Period
from storage.models import AuditEntry, Role
from tests.factories import person
from tests.harness import BotHarness

SECRETARY = 7101
INSPECTOR = 7102
ADMIN_LIKE = 7103
NOW = datetime(2027, 7, 2, 2, 0, tzinfo=UTC)  # 10:00 in Taipei, Friday 2 July 2027
POINTS = {
    "basic": "180",
    "delivery": "270",
    "capacity": "170",
    "evaluation": "160",
    "innovation": "80",
}


def documents(bot: BotHarness, chat: int) -> list[str]:
    return [
        c.result["document"]["file_name"]
        for c in bot.fake.calls("sendDocument", chat_id=chat)
        if c.ok
    ]


async def test_the_secretariat_gets_the_state_and_files_and_an_inspector_is_refused(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assessment_handlers, "utcnow", lambda: NOW)
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    for unit in ("sec1", "sec2", "第三課"):
        bot.db.call(
            record_score,
            period=Period(2027, half=1),
            given=ScoreInput(unit=unit, points=POINTS),
            today=NOW.date(),
            by="test",
        )
    reply = await bot.say(SECRETARY, "/assessment 2027-H1")
    assert "116 年上半年 自行考核" in reply
    assert "尚未公布" in reply and "116/07/15" in reply and "已評分 3／12 個單位" in reply
    assert "尚未評分：第四課、第五課" in reply and "秘書室" in reply
    await bot.wait_until(
        lambda: len(documents(bot, SECRETARY)) >= 4,
        what="the 附表2 and evidence files sent to the secretary",
    )
    assert documents(bot, SECRETARY) == [
        "self-assessment-2027-H1.html",
        "self-assessment-2027-H1.csv",
        "evidence-2027-H1.html",
        "evidence-2027-H1.csv",
    ]

    refused = await bot.say(INSPECTOR, "/assessment 2027-H1")
    assert "權限" in refused
    assert documents(bot, INSPECTOR) == []
    audit = bot.db.call(
        lambda session: [
            (a.action, a.allowed)
            for a in session.exec(select(AuditEntry)).all()
            if a.actor_telegram_id in (SECRETARY, INSPECTOR)
        ]
    )
    assert ("assessment.open", True) in audit and ("denied:assessment", False) in audit


async def test_a_bad_period_is_one_sentence_with_the_usage(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assessment_handlers, "utcnow", lambda: NOW)
    person(bot.db, ADMIN_LIKE, Role.ADMIN)
    reply = await bot.say(ADMIN_LIKE, "/assessment 2027-H3", language_code="en")
    assert '"2027-H3" is not a period' in reply and "Usage: /assessment" in reply
    assert documents(bot, ADMIN_LIKE) == []
    # Without a period: the one whose publication is next due (the first half-year).
    reply = await bot.say(ADMIN_LIKE, "/assessment", language_code="en")
    assert "first half of 2027" in reply and "Scored 0 of 12 units" in reply
