"""End to end through the fake Bot API: /tests, /score with buttons, actions, refusals."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.jobs.courtesy_reminders import send_reminders
from courtesy import actions as action_rules
from courtesy import directory, schedule, scoring
from kernel.clock import utcnow
from storage.db import Database
from storage.models import (
    ActionStatus,
    AuditEntry,
    CourtesyAction,
    CourtesyResult,
    CourtesyStaff,
    Delivery,
    Person,
    Role,
)
from storage.queries.courtesy import fetch_action_events, fetch_test_views
from storage.queries.people import grant_role, set_language, upsert_person
from tests.conftest import ADMIN_ID
from tests.factories import directory_csv
from tests.harness import BotHarness

MADE = datetime(2027, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Taipei"))
"""When tests score calls: after every 2026 call and retest was made, whatever the clock."""

INSPECTOR = 5001
OTHER_INSPECTOR = 5002
FIRM = 5003


def local_today(bot: BotHarness) -> date:
    return utcnow().astimezone(bot.settings.tz).date()


def prepare(db: Database) -> tuple[str, str]:
    """A directory and a 2026 plan; two inspectors linked; returns one inspector's first call
    and its unit's code."""
    db.call(directory.import_staff, text=directory_csv())
    db.call(schedule.plan_year, year=2026, target=80, per_unit=2, seed=11)
    with db.transaction() as session:
        views = fetch_test_views(session=session, year=2026)
        first = next(v for v in views if v.template == "business")
        other = next(v.inspector_extension for v in views if v.inspector_id != first.inspector_id)
    db.call(directory.link_inspector, extension=first.inspector_extension, telegram_id=INSPECTOR)
    db.call(directory.link_inspector, extension=other, telegram_id=OTHER_INSPECTOR)
    return first.code, first.extension


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
    not_mine = await bot.say(OTHER_INSPECTOR, f"/score {code}")
    assert "指派給其他稽查同仁" in not_mine
    missing = await bot.say(INSPECTOR, "/score 2026-9-999", language_code="en")
    assert missing == "There is no test “2026-9-999”."
    with db.transaction() as session:
        assert session.exec(select(CourtesyResult)).all() == []


async def test_the_secretariat_gets_the_round_report_with_its_files(
    bot: BotHarness, db: Database
) -> None:
    prepare(db)
    before = len(bot.fake.calls("sendDocument", chat_id=1000))
    await bot.say(1000, "/courtesy_report 2026-1", replies=6)
    assert len(bot.fake.calls("sendDocument", chat_id=1000)) == before + 5  # HTML, 3 CSV, PNG
    texts = [m.get("text", "") for m in bot.fake.sent(1000)]
    assert any("115 年第 1 輪電話禮貌測試報告" in t and "尚無測試成績" in t for t in texts)
    denied = await bot.say(INSPECTOR, "/courtesy_report 2026-1")
    assert "沒有使用這項功能的權限" in denied


async def test_inspectors_are_reminded_three_working_days_before_the_due_date_once(
    bot: BotHarness, db: Database
) -> None:
    prepare(db)
    assert bot.app is not None
    # Round 1 results are due on the 3rd, 2026-05-03, a Sunday, so on Monday 2026-05-04; the
    # reminder goes three working days before (2026-05-01 is Labour Day).
    first = await send_reminders(bot.app, date(2026, 4, 28))
    second = await send_reminders(bot.app, date(2026, 4, 28))
    assert first >= 1 and second == 0
    await bot.outbox_sent()
    assert "須在 115/05/04 前登錄" in bot.fake.last_text(INSPECTOR)
    with db.transaction() as session:
        assert session.exec(select(Delivery).where(Delivery.once_key != None)).all()  # noqa: E711
        assert session.exec(select(CourtesyStaff).where(CourtesyStaff.person_id != None)).all()  # noqa: E711


async def test_an_inspector_is_told_the_calls_of_the_day_once(
    bot: BotHarness, db: Database
) -> None:
    code, extension = prepare(db)
    with db.transaction() as session:
        day = next(v.day for v in fetch_test_views(session=session) if v.code == code)
    assert bot.app is not None
    assert await send_reminders(bot.app, day) >= 1
    await bot.outbox_sent()
    text = bot.fake.last_text(INSPECTOR)
    assert "今天要撥打" in text and code in text and extension in text
    before = len(bot.fake.sent(INSPECTOR))
    await send_reminders(bot.app, day)
    await bot.outbox_sent()
    assert len(bot.fake.sent(INSPECTOR)) == before


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


SECRETARY = 5004


def _person(db: Database, telegram_id: int, *, language: str | None, role: Role | None) -> None:
    with db.transaction() as session:
        view = upsert_person(
            session=session, telegram_id=telegram_id, first_name="x", username=None
        )
        if language is not None:
            set_language(session=session, person_id=view.id, language=language)
        if role is not None:
            grant_role(session=session, person_id=view.id, role=role)


async def test_reminders_are_written_in_each_recipients_saved_language(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    _person(db, INSPECTOR, language="en", role=None)
    _person(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    _person(db, SECRETARY + 1, language=None, role=Role.SECRETARIAT)
    with db.transaction() as session:
        day = next(v.day for v in fetch_test_views(session=session) if v.code == code)
    assert bot.app is not None
    await send_reminders(bot.app, day)
    await bot.outbox_sent()
    assert "Courtesy calls to make today" in bot.fake.last_text(INSPECTOR)
    await send_reminders(bot.app, date(2026, 4, 28))
    await bot.outbox_sent()
    assert "are due by 2026-05-04" in bot.fake.last_text(INSPECTOR)
    await send_reminders(bot.app, date(2026, 5, 5))  # round 1 is overdue from 2026-05-05
    await bot.outbox_sent()
    assert "Courtesy results overdue" in bot.fake.last_text(SECRETARY)
    assert "逾期未登錄" in bot.fake.last_text(SECRETARY + 1)  # no saved language: the default


async def test_a_reminder_that_failed_to_send_is_tried_again_by_the_outbox_once(
    bot: BotHarness, db: Database
) -> None:
    prepare(db)
    assert bot.app is not None
    bot.fake.fail("sendMessage", chat_id=INSPECTOR, status=500)
    assert await send_reminders(bot.app, date(2026, 4, 28)) >= 1
    await bot.wait_until(lambda: bot.fake.sent(INSPECTOR) != [], what="the reminder retried")
    assert "須在 115/05/04 前登錄" in bot.fake.last_text(INSPECTOR)
    assert await send_reminders(bot.app, date(2026, 4, 28)) == 0
    await bot.outbox_sent()
    assert len(bot.fake.sent(INSPECTOR)) == 1
    assert [c.status for c in bot.fake.calls("sendMessage", chat_id=INSPECTOR)] == [500, 200]


async def test_a_courtesy_reminder_is_not_sent_twice_across_a_restart_in_the_middle_of_sending(
    bot: BotHarness, db: Database
) -> None:
    prepare(db)
    assert bot.app is not None
    bot.fake.slow("sendMessage", seconds=1.0, chat_id=INSPECTOR)
    assert await send_reminders(bot.app, date(2026, 4, 28)) >= 1
    await bot.wait_until(lambda: bot.fake.sent(INSPECTOR) != [], what="delivered, no answer yet")
    await bot.restart()
    assert bot.app is not None
    assert await send_reminders(bot.app, date(2026, 4, 28)) == 0
    await bot.outbox_sent()
    assert len(bot.fake.sent(INSPECTOR)) == 1


FAILING = {
    "speed": 25,
    "unit_name": 8,
    "greeting": 6,
    "surname": 6,
    "tone": 5,
    "accuracy": 5,
    "handling": 0,
    "closing": 5,
}


def _fail_one(db: Database, code: str) -> scoring.Recorded:
    return db.call(
        scoring.record_result,
        now=MADE,
        code=code,
        points=FAILING,
        pass_mark=80,
        recorded_by="test",
        today=date(2026, 2, 2),
    )


async def _answer(bot: BotHarness, user: int, data: str) -> str:
    """Press a button and return the text of the callback answer (an alert or a toast)."""
    before = len(bot.fake.calls("answerCallbackQuery"))
    bot.fake.press_button(user, data, language_code="en")
    await bot.fake.async_wait_for(
        lambda _c: len(bot.fake.calls("answerCallbackQuery")) > before, timeout=5
    )
    return bot.fake.calls("answerCallbackQuery")[-1].params.get("text") or ""


async def test_the_secretariat_fills_in_an_action_and_closes_it_with_a_written_verification(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    action = _fail_one(db, code).action_id
    _person(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    en = {"language_code": "en"}

    card = await bot.say(SECRETARY, f"/action {action}", **en)
    assert f"Corrective and preventive action #{action}" in card and "open" in card
    assert "What went wrong: Total 60 (C), below the standard; lost: Tone and attitude −15" in card
    assert "語氣" not in card
    refusal = await _answer(bot, SECRETARY, f"ct:an:{action}:open")
    assert "still missing: cause, action plan, owner, due date" in refusal

    async def fill(field: str, value: str) -> str:
        asked = await bot.press(SECRETARY, f"ct:af:{action}:{field}", **en)
        assert f"of corrective and preventive action #{action}" in asked
        return await bot.say(SECRETARY, value, **en)

    await fill("cause", "Rushed between two calls")
    await fill("plan", "Briefing on the greeting and the hand-over")
    assert "at most 64" in await fill("owner", "x" * 65)
    await bot.say(SECRETARY, "Chief Lin", **en)
    assert "is not a date" in await fill("due_on", "next week")
    card = await bot.say(SECRETARY, "2026-03-31", **en)
    assert "due 2026-03-31" in card and "then mark it planned" in card
    assert await _answer(bot, SECRETARY, f"ct:an:{action}:open") == (
        f"Corrective and preventive action #{action} is now: planned."
    )
    await bot.fake.async_wait_for(
        lambda _c: "then mark it implemented" in bot.fake.last_text(SECRETARY), timeout=5
    )

    with db.transaction() as session:
        row = session.get(CourtesyAction, action)
        assert row is not None and row.status == "planned" and row.owner == "Chief Lin"
    stale = await _answer(bot, SECRETARY, f"ct:an:{action}:open")
    assert "out of date" in stale

    await fill("done_on", "2026-03-20")
    await _answer(bot, SECRETARY, f"ct:an:{action}:planned")
    refused = await _answer(bot, SECRETARY, f"ct:an:{action}:implemented")
    assert "cannot be verified or closed" in refused
    await fill("verification", "Listened to three calls; greeting and hand-over now correct")
    card = await fill("verified_by", "Section chief Wang")
    assert "Section chief Wang" in card
    await _answer(bot, SECRETARY, f"ct:an:{action}:implemented")
    await _answer(bot, SECRETARY, f"ct:an:{action}:verified")
    await bot.fake.async_wait_for(
        lambda _c: "This action is closed." in bot.fake.last_text(SECRETARY), timeout=5
    )
    with db.transaction() as session:
        row = session.get(CourtesyAction, action)
        assert row is not None and row.status == "closed" and row.closed_at is not None
        steps = [e.to_status for e in fetch_action_events(session=session, action_id=action)]
    assert steps == ["open", "planned", "implemented", "verified", "closed"]
    # a colleague reading Chinese sees the card's dates in ROC, as every chat message writes them
    colleague = SECRETARY + 50
    _person(db, colleague, language="zh-TW", role=Role.SECRETARIAT)
    chinese = await bot.say(colleague, f"/action {action}", language_code="zh-hant")
    assert "115/03/31" in chinese and "115/03/20" in chinese and "2026-03-" not in chinese
    # A button of an older card cannot change the closed record.
    assert "out of date" in await _answer(bot, SECRETARY, f"ct:af:{action}:verified_by")
    bot.fake.send_text(SECRETARY, "Somebody else", language_code="en")
    await asyncio.sleep(0.5)
    with db.transaction() as session:
        row = session.get(CourtesyAction, action)
        assert row is not None and row.verified_by == "Section chief Wang"


async def test_action_commands_and_buttons_are_refused_to_inspectors_and_firms(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    action = _fail_one(db, code).action_id
    for user in (INSPECTOR, FIRM):
        assert "沒有使用這項功能的權限" in await bot.say(user, f"/action {action}")
        assert "permission" in await _answer(bot, user, f"ct:an:{action}:open")
        assert "permission" in await _answer(bot, user, f"ct:af:{action}:cause")
    with db.transaction() as session:
        row = session.get(CourtesyAction, action)
        assert row is not None and row.status == "open" and row.cause is None
    assert "/action NUMBER" in await bot.say(ADMIN_ID, "/action abc", language_code="en")
    assert "no corrective and preventive action #999" in await bot.say(
        ADMIN_ID, "/action 999", language_code="en"
    )


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
    answer = await _answer(bot, INSPECTOR, zero)
    assert "no longer valid" in answer
    await bot.press(INSPECTOR, f"ct:p:{other}:0:25", replies=2)
    for index, points in enumerate((8, 6, 6, 20, 15, 10, 10), start=1):
        await bot.press(INSPECTOR, f"ct:p:{other}:{index}:{points}", replies=2)
    await bot.say(INSPECTOR, "/skip")
    saved = await bot.press(INSPECTOR, "ct:ok")
    assert "100 分（優）" in saved


async def test_a_long_list_of_open_actions_comes_in_several_whole_pages(
    bot: BotHarness, db: Database
) -> None:
    prepare(db)
    with db.transaction() as session:
        codes = [v.code for v in fetch_test_views(session=session) if v.template == "business"]
    opened = [_fail_one(db, code).action_id for code in codes[:30]]
    texts = [await bot.say(ADMIN_ID, "/actions")]
    for _ in opened:  # at most a page per action
        buttons = bot.fake.buttons(bot.fake.sent(ADMIN_ID)[-1])
        later = [data for label, data in buttons if "▶" in label]
        if not later:
            break
        assert later[0] is not None
        texts.append(await bot.press(ADMIN_ID, later[0]))
    assert len(texts) >= 2 and all(len(text) <= 4096 for text in texts)
    joined = "\n\n".join(texts)
    assert all(f"#{action} " in joined for action in opened)


async def test_an_unlinked_staff_member_is_told_to_get_linked_and_long_ids_are_not_echoed(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    _person(db, SECRETARY, language="en", role=Role.SECRETARIAT)
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


async def test_the_overdue_list_goes_out_on_working_days_only(
    bot: BotHarness, db: Database
) -> None:
    prepare(db)
    _person(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    assert bot.app is not None
    await send_reminders(bot.app, date(2026, 5, 9))  # a Saturday, round 1 overdue
    assert bot.fake.sent(SECRETARY) == []
    await send_reminders(bot.app, date(2026, 5, 11))  # the Monday after
    await bot.outbox_sent()
    assert "Courtesy results overdue" in bot.fake.last_text(SECRETARY)


async def test_the_secretariat_closes_an_action_in_chat_after_its_retest_passes(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    recorded = _fail_one(db, code)
    action = recorded.action_id
    assert action is not None and recorded.retest_code is not None
    filled = action_rules.ActionChange(
        cause="c", plan="p", owner="o", due_on=date(2026, 3, 1), done_on=date(2026, 3, 1)
    )
    db.call(
        action_rules.update_action,
        action_id=action,
        change=filled,
        to=ActionStatus.IMPLEMENTED,
        actor="test",
    )
    _person(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    refused = await _answer(bot, SECRETARY, f"ct:an:{action}:implemented")
    assert "cannot be verified or closed" in refused
    full = dict(FAILING, tone=20, accuracy=15, handling=10, closing=10)
    db.call(
        scoring.record_result,
        now=MADE,
        code=recorded.retest_code,
        points=full,
        pass_mark=80,
        recorded_by="test",
    )
    card = await bot.say(SECRETARY, f"/action {action}", language_code="en")
    assert f"Retest: {recorded.retest_code}" in card and "100 points, passed" in card
    assert "now: verified" in await _answer(bot, SECRETARY, f"ct:an:{action}:implemented")
    assert "now: closed" in await _answer(bot, SECRETARY, f"ct:an:{action}:verified")
    with db.transaction() as session:
        row = session.get(CourtesyAction, action)
        assert row is not None and row.status == "closed" and row.verification is None


async def test_an_inspector_who_blocked_the_bot_is_marked_blocked_and_not_retried(
    bot: BotHarness, db: Database
) -> None:
    prepare(db)
    assert bot.app is not None
    bot.fake.block(INSPECTOR)
    await send_reminders(bot.app, date(2026, 4, 28))
    await bot.outbox_sent()
    with db.transaction() as session:
        person = session.exec(select(Person).where(Person.telegram_id == INSPECTOR)).one()
        assert person.blocked
        claimed = session.exec(select(Delivery).where(Delivery.chat_id == INSPECTOR)).all()
    assert [row.status for row in claimed] == ["blocked"]
    assert await send_reminders(bot.app, date(2026, 4, 28)) == 0


async def test_another_command_ends_the_wait_for_an_action_fields_text(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    action = _fail_one(db, code).action_id
    await bot.say(ADMIN_ID, f"/action {action}", language_code="en")
    asked = await bot.press(ADMIN_ID, f"ct:af:{action}:cause", language_code="en")
    assert "any other command stops" in asked
    await bot.say(ADMIN_ID, "/actions", language_code="en")
    bot.fake.send_text(ADMIN_ID, "this was meant for something else", language_code="en")
    await asyncio.sleep(0.5)
    with db.transaction() as session:
        row = session.get(CourtesyAction, action)
        assert row is not None and row.cause is None


async def test_a_fields_prompt_lapses_and_a_later_text_is_not_stored(
    bot: BotHarness, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.edge import waiting
    from bot.handlers.courtesy.actions import ACTION_MINUTES

    code, _ = prepare(db)
    action = _fail_one(db, code).action_id
    await bot.say(ADMIN_ID, f"/action {action}", language_code="en")
    asked = await bot.press(ADMIN_ID, f"ct:af:{action}:cause", language_code="en")
    assert f"lapses after {ACTION_MINUTES} minutes" in asked
    later = utcnow() + timedelta(minutes=ACTION_MINUTES + 1)
    monkeypatch.setattr(waiting, "utcnow", lambda: later)
    reply = await bot.say(ADMIN_ID, "the script was never read", language_code="en")
    assert f"lapsed after {ACTION_MINUTES} minutes" in reply and f"/action {action}" in reply
    with db.transaction() as session:
        row = session.get(CourtesyAction, action)
        assert row is not None and row.cause is None


def _fill_every_long_field(db: Database, action: int) -> dict[str, str]:
    """Every text field of the action at its limit, each with characters HTML escapes."""
    texts = {
        field: (f"{field} <&> " + "長" * 2000)[:2000]
        for field in ("correction", "cause", "plan", "evidence", "verification")
    }
    texts["owner"] = "O" * 64
    texts["verified_by"] = "V" * 64
    db.call(
        action_rules.update_action,
        action_id=action,
        change=action_rules.ActionChange(**texts, due_on=date(2026, 3, 1)),
        actor="test",
    )
    return texts


async def test_an_action_card_with_every_long_field_full_fits_and_each_field_can_be_read_whole(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    action = _fail_one(db, code).action_id
    texts = _fill_every_long_field(db, action)
    _person(db, SECRETARY, language="en", role=Role.SECRETARIAT)
    card = await bot.say(SECRETARY, f"/action {action}", language_code="en")
    sent = bot.fake.calls("sendMessage", chat_id=SECRETARY)
    assert sent and all(c.ok for c in sent), [c.description for c in sent]
    assert f"Corrective and preventive action #{action}" in card and "cause &lt;&amp;&gt;" in card
    buttons = dict((data, label) for label, data in bot.fake.buttons(bot.fake.sent(SECRETARY)[-1]))
    for field, text in texts.items():
        if len(text) <= 64:
            assert text in card
            continue
        shown = f"ct:as:{action}:{field}"
        assert shown in buttons, (field, buttons)
        whole = await bot.press(SECRETARY, shown, language_code="en")
        assert text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in whole
    # A field edited in chat shows the refreshed card, which fits as well.
    await bot.press(SECRETARY, f"ct:af:{action}:cause", language_code="en")
    await bot.say(SECRETARY, "C" * 2000, language_code="en")
    assert all(c.ok for c in bot.fake.calls("sendMessage", chat_id=SECRETARY))
    assert all(c.ok for c in bot.fake.calls("answerCallbackQuery"))


def _copy_action(db: Database, action: int, copies: int) -> list[int]:
    """`copies` more open actions like `action` (same call, person and what went wrong)."""
    with db.transaction() as session:
        original = session.get(CourtesyAction, action)
        assert original is not None
        made = [
            CourtesyAction(
                test_id=original.test_id,
                staff_id=original.staff_id,
                nonconformity=original.nonconformity,
                points_lost=dict(original.points_lost),
                repeat_count=n,
                retest_test_id=original.retest_test_id,
            )
            for n in range(copies)
        ]
        session.add_all(made)
        session.flush()
        return [a.id or 0 for a in made]


async def test_many_open_actions_come_as_pages_of_one_message_each(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    first = _fail_one(db, code).action_id
    opened = [first, *_copy_action(db, first, 199)]
    before = len(bot.fake.sent(ADMIN_ID))
    page = await bot.say(ADMIN_ID, "/actions", language_code="en")
    await asyncio.sleep(0.3)
    assert len(bot.fake.sent(ADMIN_ID)) == before + 1  # one message, not one per 4,096
    seen = [page]
    for _ in range(len(opened)):
        later = [d for label, d in bot.fake.buttons(bot.fake.sent(ADMIN_ID)[-1]) if "▶" in label]
        if not later:
            break
        assert later[0] is not None
        seen.append(await bot.press(ADMIN_ID, later[0], language_code="en"))
    assert len(seen) >= 2
    assert all(c.ok for c in bot.fake.calls("sendMessage", chat_id=ADMIN_ID))
    assert all(c.ok for c in bot.fake.calls("editMessageText"))
    joined = "\n\n".join(seen)
    assert all(f"#{action} " in joined for action in opened)


async def test_inspectors_see_counts_of_open_actions_and_the_secretariat_the_names(
    bot: BotHarness, db: Database
) -> None:
    code, _ = prepare(db)
    recorded = _fail_one(db, code)
    with db.transaction() as session:
        called = next(v for v in fetch_test_views(session=session) if v.code == code)
    counts = await bot.say(INSPECTOR, "/actions", language_code="en")
    assert "1 open corrective and preventive action" in counts
    assert called.staff_name not in counts and code not in counts
    assert f"#{recorded.action_id} " not in counts
    named = await bot.say(ADMIN_ID, "/actions", language_code="en")
    assert called.staff_name in named and code in named and f"#{recorded.action_id} " in named


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


async def test_forged_or_odd_courtesy_buttons_and_ids_get_one_clear_line_and_no_error(
    bot: BotHarness, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    code, _ = prepare(db)
    action = _fail_one(db, code).action_id
    huge = "99999999999999999999999"
    with caplog.at_level(logging.INFO):
        for text in ("/action ²", f"/action {huge}", "/action ١", "/action -1"):
            reply = await bot.say(ADMIN_ID, text, language_code="en")
            assert reply.startswith(
                ("Usage: /action NUMBER", "There is no corrective and preventive action")
            )
        for text in ("/score ²", f"/score {huge}", "/score 2026-1-00١", "/score <b>"):
            reply = await bot.say(INSPECTOR, text, language_code="en")
            assert reply.startswith("There is no test"), reply
        forged = [
            f"ct:p:{code}:²:25",
            f"ct:p:{code}:0:{huge}",
            f"ct:p:{code}:١:25",
            f"ct:an:{action}:",
            "ct:an:²:open",
            f"ct:an:{huge}:open",
            f"ct:af:{huge}:cause",
            f"ct:af:{action}:colour",
            "ct:af:١:cause",
            f"ct:as:{huge}:cause",
            f"ct:ap:{huge}",
            "ct:ap:²",
            "ct:zz",
            "ct:ok:1",
        ]
        answers_before = len(bot.fake.calls("answerCallbackQuery"))
        sent_before = len(bot.fake.calls("sendMessage", chat_id=ADMIN_ID))
        for data in forged:
            bot.fake.press_button(ADMIN_ID, data, language_code="en")
        await bot.wait_until(
            lambda: len(bot.fake.calls("answerCallbackQuery")) >= answers_before + len(forged),
            what="an answer to every forged button",
        )
        await asyncio.sleep(0.5)
    answers = bot.fake.calls("answerCallbackQuery")[answers_before:]
    assert len(answers) == len(forged) and all(a.ok for a in answers)
    texts = [a.params.get("text") or "" for a in answers]
    assert all(
        "no longer valid" in x or "no corrective and preventive action" in x for x in texts
    ), texts
    assert len(bot.fake.calls("sendMessage", chat_id=ADMIN_ID)) == sent_before
    with db.transaction() as session:
        row = session.get(CourtesyAction, action)
        assert row is not None and row.status == "open" and row.cause is None
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not any(r.exc_info for r in caplog.records)
