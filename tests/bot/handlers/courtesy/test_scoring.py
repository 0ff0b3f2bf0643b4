"""/tests and /score in chat (bot/handlers/courtesy/scoring.py): an inspector's calls, scored
with a button per item and resumed after a restart; refusals of firms, other inspectors, the
unlinked, a call not yet made, a long note, forged ids and buttons."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

import pytest
from sqlmodel import select

from courtesy import schedule
from kernel.clock import utcnow
from storage.db import Database
from storage.models import (
    AuditEntry,
    CourtesyAction,
    CourtesyResult,
    CourtesyStaff,
    Person,
    Role,
)
from storage.queries.courtesy import fetch_test_views
from tests.bot.handlers.courtesy.helpers import FIRM, answer_to, prepare, press_all, staff
from tests.conftest import ADMIN_ID
from tests.courtesy.plans import INSPECTOR, OTHER, SECRETARY
from tests.harness import BotHarness


async def test_an_inspector_lists_tests_scores_one_with_buttons_and_a_failure_opens_an_action(
    bot: BotHarness, db: Database
) -> None:
    code, extension = prepare(db)
    listing = await bot.say(INSPECTOR, "/tests")
    assert code in listing and extension in listing

    await bot.say(INSPECTOR, f"/score {code}", replies=2)
    assert "接聽速度" in bot.fake.last_text(INSPECTOR)
    failing = {
        "speed": 10,
        "unit_name": 8,
        "greeting": 6,
        "surname": 0,
        "tone": 10,
        "accuracy": 10,
        "handling": 5,
        "closing": 5,
    }
    for index, points in enumerate(failing.values()):
        await bot.press(INSPECTOR, f"ct:p:{code}:{index}:{points}", replies=2)
    assert "備註" in bot.fake.last_text(INSPECTOR)
    summary = await bot.say(INSPECTOR, "/skip")
    assert "54" in summary and "丁" in summary and "不及格" in summary
    saved = await bot.press(INSPECTOR, "ct:ok")
    assert "54 分（丁）" in saved and "矯正及預防措施 #" in saved

    with db.transaction() as session:
        result = session.exec(select(CourtesyResult)).one()
        assert result.total == 54 and not result.passed
        assert result.recorded_by == f"telegram:{INSPECTOR}"
        action = session.exec(select(CourtesyAction)).one()
        assert action.status == "open" and action.retest_test_id is not None

    actions = await bot.say(INSPECTOR, "/actions")  # an inspector sees counts, not names
    assert "1 件未結案" in actions and code not in actions
    assert "/action 編號" not in actions
    named = await bot.say(ADMIN_ID, "/actions")
    assert f"#{action.id}" in named and code in named and "/action 編號" in named

    again = await bot.say(INSPECTOR, f"/score {code}")
    assert "已經評分過了" in again


async def test_a_firm_cannot_score_and_a_call_of_another_inspector_is_refused(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    refused = await bot.say(FIRM, f"/score {code}")
    assert "沒有使用這項功能的權限" in refused
    not_mine = await bot.say(OTHER, f"/score {code}")
    assert "指派給其他稽查同仁" in not_mine
    missing = await bot.say(INSPECTOR, "/score 2026-9-999", language_code="en")
    assert missing == "There is no test “2026-9-999”."
    with db.transaction() as session:
        assert session.exec(select(CourtesyResult)).all() == []


async def test_scoring_resumes_where_it_stopped_after_a_restart(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    await bot.say(INSPECTOR, f"/score {code}", replies=2)
    await bot.press(INSPECTOR, f"ct:p:{code}:0:25", replies=2)
    await bot.restart()
    calls_before = len(bot.fake.calls("answerCallbackQuery", chat_id=None))
    bot.fake.press_button(INSPECTOR, f"ct:p:{code}:0:20")  # the first item's button, pressed again
    await bot.fake.async_wait_for(
        lambda _c: len(bot.fake.calls("answerCallbackQuery")) > calls_before, timeout=5
    )
    for index, points in enumerate((8, 6, 6, 20, 15, 10, 10), start=1):
        await bot.press(INSPECTOR, f"ct:p:{code}:{index}:{points}", replies=2)
    summary = await bot.say(INSPECTOR, "fine call")
    assert "fine call" in summary and "100" in summary
    saved = await bot.press(INSPECTOR, "ct:ok")
    assert "100 分（優）" in saved
    with db.transaction() as session:
        result = session.exec(select(CourtesyResult)).one()
    assert result.note == "fine call" and result.passed


async def test_help_shows_the_courtesy_commands_to_inspectors_only(
    bot: BotHarness, db: Database
) -> None:
    prepare(db)
    staff_help = await bot.say(INSPECTOR, "/help")
    assert "/tests" in staff_help and "/score" in staff_help and "/actions" in staff_help
    assert "/courtesy_report" not in staff_help
    firm_help = await bot.say(FIRM, "/help")
    assert "/tests" not in firm_help and "/score" not in firm_help


async def test_a_button_of_an_abandoned_scoring_does_not_score_another_call(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    with db.transaction() as session:
        views = fetch_test_views(session=session)
        mine = next(v for v in views if v.code == code).inspector_id
        other = next(v.code for v in views if v.inspector_id == mine and v.code != code)
    await bot.say(INSPECTOR, f"/score {code}", replies=2)
    abandoned = bot.fake.sent(INSPECTOR)[-1]
    await bot.say(INSPECTOR, f"/score {other}", replies=2)
    zero = bot.fake.buttons(abandoned)[-1][1]  # "Not answered (0)" on the first call's speed
    assert zero is not None
    answer = await answer_to(bot, INSPECTOR, zero)
    assert "no longer valid" in answer
    await bot.press(INSPECTOR, f"ct:p:{other}:0:25", replies=2)
    for index, points in enumerate((8, 6, 6, 20, 15, 10, 10), start=1):
        await bot.press(INSPECTOR, f"ct:p:{other}:{index}:{points}", replies=2)
    await bot.say(INSPECTOR, "/skip")
    saved = await bot.press(INSPECTOR, "ct:ok")
    assert "100 分（優）" in saved


async def test_an_unlinked_staff_member_is_told_to_get_linked_and_long_ids_are_not_echoed(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    staff(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    reply = await bot.say(SECRETARY, f"/score {code}", language_code="en")
    assert "not linked" in reply and f"Telegram ID {SECRETARY}" in reply
    assert "bsmi-desk" not in reply  # whom to ask, never a command line
    reply = await bot.say(INSPECTOR, "/score " + "x" * 300, language_code="en")
    assert reply == f"There is no test “{'x' * 32}”."


async def test_a_note_too_long_is_refused_and_a_shorter_one_taken(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    await bot.say(INSPECTOR, f"/score {code}", replies=2)
    for index, points in enumerate((25, 8, 6, 6, 20, 15, 10, 10)):
        await bot.press(INSPECTOR, f"ct:p:{code}:{index}:{points}", replies=2)
    refused = await bot.say(INSPECTOR, "n" * 1001, language_code="en")
    assert "1001 characters; at most 1000" in refused
    summary = await bot.say(INSPECTOR, "short note")
    assert "short note" in summary


def local_today(bot: BotHarness) -> date:
    return utcnow().astimezone(bot.settings.tz).date()


async def test_a_call_cannot_be_scored_in_chat_before_its_scheduled_date_and_time(
    bot: BotHarness, db: Database
) -> None:
    prepare(db)
    year = local_today(bot).year + 1
    db.call(schedule.plan_year, year=year, target=80, per_unit=2, seed=3)
    with db.transaction() as session:
        person = session.exec(select(Person).where(Person.telegram_id == INSPECTOR)).one()
        mine = {s.id for s in session.exec(select(CourtesyStaff)) if s.person_id == person.id}
        future = next(
            v for v in fetch_test_views(session=session, year=year) if v.inspector_id in mine
        )
    refused = await bot.say(INSPECTOR, f"/score {future.code}", language_code="en")
    assert refused == (
        f"Test {future.code} is scheduled for {future.day.isoformat()} "
        f"{future.at.strftime('%H:%M')}; it can be scored only after the call is made."
    )
    await asyncio.sleep(0.3)
    assert bot.fake.last_text(INSPECTOR) == refused  # no item buttons followed
    chinese = await bot.say(INSPECTOR, f"/score {future.code}", language_code="zh-hant")
    day = future.day
    assert f"排定在 {day.year - 1911}/{day.month:02d}/{day.day:02d} " in chinese  # ROC
    with db.transaction() as session:
        assert session.exec(select(CourtesyResult)).all() == []
        refusals = session.exec(
            select(AuditEntry).where(AuditEntry.action == "courtesy.score.refused")
        ).all()
    assert [r.detail for r in refusals] == ["courtesy.errors.too_early"] * 2


async def test_forged_or_odd_score_ids_and_buttons_get_one_clear_line_and_no_error(
    bot: BotHarness, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    code, _ = prepare(db)
    huge = "99999999999999999999999"
    with caplog.at_level(logging.INFO):
        for text in ("/score ²", f"/score {huge}", "/score 2026-1-00١", "/score <b>"):
            reply = await bot.say(INSPECTOR, text, language_code="en")
            assert reply.startswith("There is no test"), reply
        forged = [
            f"ct:p:{code}:²:25",
            f"ct:p:{code}:0:{huge}",
            f"ct:p:{code}:١:25",
            "ct:zz",
            "ct:ok:1",
        ]
        sent_before = len(bot.fake.calls("sendMessage", chat_id=ADMIN_ID))
        answers = await press_all(bot, ADMIN_ID, forged)
    assert len(answers) == len(forged) and all(a.ok for a in answers)
    texts = [a.params.get("text") or "" for a in answers]
    assert all("no longer valid" in x for x in texts), texts
    assert len(bot.fake.calls("sendMessage", chat_id=ADMIN_ID)) == sent_before
    with db.transaction() as session:
        assert session.exec(select(CourtesyResult)).all() == []
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not any(r.exc_info for r in caplog.records)
