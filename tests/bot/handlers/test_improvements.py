"""/improvements in chat (bot/handlers/improvements.py) through the fake Bot API: a unit's
inspector sees their unit's open actions only, closes one with a typed verification after
confirming it, and the close is the domain's (state, history, audit); another unit's staff and
a firm are refused; a used or forged button is stale and changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.surveys import improvements as improving
from kernel import workcalendar
from kernel.clock import today
from storage.db import Database
from storage.models import AuditEntry, Role
from storage.models.surveys import SurveyImprovement
from tests.bot.handlers.courtesy.helpers import answer_to
from tests.bot.surveys.scored import SHARES, scored_survey
from tests.factories import TZ, person
from tests.harness import BotHarness

INSPECTOR = 601
OTHER = 602
FIRM = 603


def opened(db: Database) -> tuple[int, int]:
    """An action for sec1's `measures` and one for sec2's `professionalism`."""
    survey_id = scored_survey(db, "2027 H1", SHARES, sent=datetime(2026, 11, 2, tzinfo=UTC))
    due = workcalendar.add_working_days(today(TZ), 10)

    def one(question: str, unit: str) -> int:
        action = db.call(
            improving.open_improvement,
            survey_id=survey_id,
            question=question,
            unit_code=unit,
            plan="改善",
            due_on=due,
            threshold=80,
            today=today(TZ),
            actor="test",
            by=None,
            now=datetime.now(UTC),
        )
        assert action.id is not None
        return action.id

    return one("measures", "sec1"), one("professionalism", "sec2")


async def test_a_units_inspector_closes_its_action_with_a_confirmed_verification(
    bot: BotHarness, db: Database
) -> None:
    person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    person(db, OTHER, Role.INSPECTOR, unit="sec2")
    person(db, FIRM)
    mine, theirs = opened(db)
    en = {"language_code": "en"}

    listed = await bot.say(INSPECTOR, "/improvements", **en)
    assert f"#{mine} survey" in listed and f"#{theirs} survey" not in listed
    assert "Service measures" in listed and "First Section" in listed
    await bot.say(FIRM, "/improvements", **en)
    stale = await answer_to(bot, OTHER, f"sif:c:{mine}")  # another unit's action
    assert "out of date" in stale

    asked = await bot.press(INSPECTOR, f"sif:c:{mine}", **en)
    assert f"Improvement action #{mine} (Service measures): type the verification" in asked
    preview = await bot.say(INSPECTOR, "Checked 30 visitors; online booking works", **en)
    assert "will be closed with this verification" in preview and "online booking" in preview
    with db.transaction() as session:
        row = session.get(SurveyImprovement, mine)
        assert row is not None and row.state == "open"  # nothing before 「確認結案」
    done = await bot.press(INSPECTOR, f"sif:y:{mine}", **en)
    assert done == f"Improvement action #{mine} is closed."
    again = await answer_to(bot, INSPECTOR, f"sif:y:{mine}")
    assert "out of date" in again
    with db.transaction() as session:
        row = session.get(SurveyImprovement, mine)
        assert row is not None and row.state == "closed"
        assert row.verification == "Checked 30 visitors; online booking works"
        assert row.closed_by == f"telegram:{INSPECTOR}"
        audit = session.exec(
            select(AuditEntry.action, AuditEntry.actor_telegram_id, AuditEntry.allowed)
        ).all()
    assert ("survey.improvement.closed", INSPECTOR, True) in audit
    assert ("denied:list_improvements", FIRM, False) in audit
    assert (await bot.say(INSPECTOR, "/improvements", **en)) == "No improvement action is open."
