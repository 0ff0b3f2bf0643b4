"""What the case handlers' tests share: who is who, a case assigned to a unit, the audit log,
and pressing a button or sending a text to see what (if anything) the bot answered."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

import pytest
from sqlmodel import select

from kernel.i18n import t
from storage.models import AuditEntry, CaseEvent, Role
from tests.factories import do, file_on, person
from tests.harness import BotHarness

IDENTITY_NOTE = (
    "Petitioner's identity (seen only by the secretariat (research and evaluation)"
    " and the system administrators)"
)
"""How the case card names who filed; the privacy notice and the filing step say the same."""

SECRETARY = 7101
INSPECTOR = 7102
FIRM = 7103
ELSEWHERE = 7204
NAME, PHONE = "陳雅婷", "0912000111"


def events(bot: BotHarness, action: str) -> list[CaseEvent]:
    return bot.db.call(
        lambda session: list(  # type: ignore[misc]
            session.exec(select(CaseEvent).where(CaseEvent.action == action)).all()
        )
    )


async def answers_to(bot: BotHarness, user_id: int, text: str) -> list[str]:
    """Send `text`, then /cases, and give the handlers a moment more; the texts the bot sent
    in answer to `text` alone (the /cases list left out)."""
    before = len(bot.fake.sent(user_id))
    bot.fake.send_text(user_id, text, language_code="en")
    await bot.say(user_id, "/cases", language_code="en")
    await asyncio.sleep(0.5)
    texts = [m.get("text") or "" for m in bot.fake.sent(user_id)[before:]]
    return [t for t in texts if "cases</b> (" not in t]


def assigned_case(bot: BotHarness) -> str:
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    reporter = person(bot.db, FIRM)
    filed = file_on(bot.db, date(2026, 11, 2), reporter=reporter)
    do(bot.db, filed.number, "assign", secretary, date(2026, 11, 3), unit="sec1")
    return filed.number


def staff_and_case(bot: BotHarness, *, anonymous: bool = False) -> str:
    """A secretary, an inspector of sec1, one of sec5, and a case of sec1 with a reporter."""
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    person(bot.db, ELSEWHERE, Role.INSPECTOR, unit="sec5")
    reporter = person(bot.db, FIRM, name="Chen Ya-ting")
    filed = file_on(
        bot.db,
        date(2026, 11, 2),
        reporter=reporter,
        contact=None if anonymous else (NAME, PHONE),
        anonymous=anonymous,
    )
    do(bot.db, filed.number, "assign", secretary, date(2026, 11, 3), unit="sec1")
    return filed.number


def audit(bot: BotHarness) -> list[AuditEntry]:
    return bot.db.call(
        lambda session: list(  # type: ignore[misc]
            session.exec(select(AuditEntry).order_by(AuditEntry.id)).all()  # type: ignore[arg-type]
        )
    )


def refusals(bot: BotHarness) -> list[tuple[str | None, str | None, int | None]]:
    return [(a.action, a.target, a.actor_telegram_id) for a in audit(bot) if not a.allowed]


async def answered(bot: BotHarness, user_id: int, data: str) -> str:
    """Press a button; the text of the callback query's answer (the stale-button alert)."""
    before = len(bot.fake.calls("answerCallbackQuery"))
    bot.fake.press_button(user_id, data, language_code="en")
    await bot.wait_until(
        lambda: len(bot.fake.calls("answerCallbackQuery")) > before, what=f"an answer to {data}"
    )
    return str(bot.fake.calls("answerCallbackQuery")[-1].params.get("text") or "")


def roc(day: date) -> str:
    """115/11/02: a date as a Chinese chat message writes it."""
    return f"{day.year - 1911}/{day.month:02d}/{day.day:02d}"


async def forged_button_is_stale(
    bot: BotHarness, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    """Press a forged button as the secretary: the stale answer, no error, no message."""
    staff_and_case(bot)
    with caplog.at_level(logging.INFO):
        text = await answered(bot, SECRETARY, data)
    # Data the edge cannot parse (non-ASCII, too long, out of range) gets the edge's stale line
    # before any feature sees it; parsable data the feature does not know gets its own line.
    assert "out of date" in text or text == t("en", "buttons.stale")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not [r for r in caplog.records if r.exc_info]
    assert bot.fake.sent(SECRETARY) == []
