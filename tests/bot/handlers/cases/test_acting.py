"""Acting on a case in chat: prompts that say how they end and lapse, texts asked again when
wrongly written, refusals (audited) before any prompt, the unit told in its language, and a
wait that survives a restart."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

import bot.handlers.cases.acting as acting
from bot.edge import waiting
from kernel.clock import utcnow
from storage.models import AuditEntry, Case, Person, Role
from tests.bot.handlers.cases.helpers import (
    FIRM,
    IDENTITY_NOTE,
    INSPECTOR,
    NAME,
    PHONE,
    SECRETARY,
    answers_to,
    assigned_case,
    audit,
    events,
    refusals,
    roc,
    staff_and_case,
)
from tests.factories import do, file_on, person
from tests.harness import BotHarness


async def test_the_prompt_says_the_next_message_is_taken_how_to_cancel_and_when_it_lapses(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    prompt = await bot.press(INSPECTOR, f"case:a:note:{number}", language_code="en")
    assert "next message is taken" in prompt and "/cancel" in prompt
    assert f"lapses after {acting.PENDING_MINUTES} minutes" in prompt


async def test_a_reply_prompt_left_waiting_lapses_and_a_later_message_reaches_no_reporter(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = assigned_case(bot)
    await bot.press(INSPECTOR, f"case:a:reply:{number}", language_code="en")
    later = utcnow() + timedelta(minutes=acting.PENDING_MINUTES + 1)
    monkeypatch.setattr(waiting, "utcnow", lambda: later)
    sent_to_firm = len(bot.fake.sent(FIRM))
    reply = await bot.say(INSPECTOR, "lunch at noon?", language_code="en")
    assert "lapsed after 15 minutes" in reply and "not recorded" in reply
    assert f"/case {number}" in reply
    assert events(bot, "reply") == []
    assert len(bot.fake.sent(FIRM)) == sent_to_firm
    # the conversation is over: the next text is not taken either, nor answered as a lapse
    assert await answers_to(bot, INSPECTOR, "second message") == []
    assert events(bot, "reply") == []


async def test_a_prompt_answered_in_time_is_applied(bot: BotHarness) -> None:
    number = assigned_case(bot)
    await bot.press(INSPECTOR, f"case:a:note:{number}", language_code="en")
    done = await bot.say(INSPECTOR, "Called the shop; sample bought.", language_code="en")
    assert "Note done" in done
    assert [e.note for e in events(bot, "note")] == ["Called the shop; sample bought."]


async def test_a_wait_stored_by_the_previous_version_is_treated_as_lapsed(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    await bot.press(INSPECTOR, f"case:a:note:{number}", language_code="en")
    assert bot.app is not None
    bot.app.user_data[INSPECTOR][acting.PENDING] = ["note", number]  # no lapse time
    reply = await bot.say(INSPECTOR, "an old wait", language_code="en")
    assert "not recorded" in reply
    assert events(bot, "note") == []


async def test_a_wait_stored_as_a_list_by_an_earlier_release_is_treated_as_lapsed(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    await bot.press(INSPECTOR, f"case:a:note:{number}", language_code="en")
    assert bot.app is not None
    lapses_at = (utcnow() + timedelta(minutes=5)).timestamp()
    bot.app.user_data[INSPECTOR][acting.PENDING] = ["note", number, lapses_at]
    reply = await bot.say(INSPECTOR, "Sampled two units.", language_code="en")
    assert "not recorded" in reply and "Press the button again" in reply
    assert events(bot, "note") == []


async def test_an_inspector_pressing_a_secretariat_action_is_refused_before_any_prompt(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    refused = await bot.press(INSPECTOR, f"case:a:transfer:{number}", language_code="en")
    assert "cannot take this action" in refused
    refused = await bot.press(INSPECTOR, f"case:a:assign:{number}", language_code="en")
    assert "cannot take this action" in refused
    assert bot.fake.calls("editMessageReplyMarkup", chat_id=INSPECTOR) == []
    # no prompt is waiting: a plain text afterwards is not taken as a transfer reason
    assert await answers_to(bot, INSPECTOR, "Ministry of Health") == []
    stored = bot.db.call(lambda session: session.exec(select(Case)).one())  # type: ignore[misc]
    assert stored.state == "assigned"


async def test_a_stale_reply_button_of_a_closed_case_is_refused_at_once_not_after_the_text(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    do(bot.db, number, "not_handled", secretary, date(2026, 11, 4), text="no concrete content")
    refused = await bot.press(INSPECTOR, f"case:a:reply:{number}", language_code="en")
    assert "cannot take this action" in refused
    assert "final reply" not in refused


async def test_a_wrongly_written_extension_is_asked_again_but_a_case_that_moved_on_ends_it(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    await bot.press(INSPECTOR, f"case:a:extend:{number}", language_code="en")
    assert "from 1 to 60" in await bot.say(INSPECTOR, "soon", language_code="en")
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    do(bot.db, number, "transfer", secretary, date(2026, 11, 4), text="to the county office")
    refused = await bot.say(INSPECTOR, "10 joint sampling", language_code="en")
    assert "cannot take this action" in refused
    # the wait ended with that refusal: the next text is not refused again
    assert await answers_to(bot, INSPECTOR, "10 joint sampling") == []


async def test_a_reply_too_long_for_one_message_is_refused_and_asked_again(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    await bot.press(INSPECTOR, f"case:a:reply:{number}", language_code="en")
    refused = await bot.say(INSPECTOR, "經" * 4000, language_code="en")
    assert "4000 characters" in refused and "3500" in refused
    before = len(bot.fake.sent(FIRM))
    done = await bot.say(INSPECTOR, "經查已下架並通知業者改正。", language_code="en")
    assert "replied" in done
    await bot.wait_reply(FIRM, before=before)
    assert "經查已下架" in bot.fake.last_text(FIRM)


async def test_the_assigned_units_inspectors_are_told_in_their_language_without_the_reporter(
    bot: BotHarness,
) -> None:

    person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    colleague = 7104
    person(bot.db, colleague, Role.INSPECTOR, unit="sec1")
    elsewhere = 7105
    person(bot.db, elsewhere, Role.INSPECTOR, unit="sec5")
    reporter = person(bot.db, FIRM, name="Chen Ya-ting")

    def languages(session):  # type: ignore[no-untyped-def]
        for row in session.exec(select(Person)).all():
            row.language = "en" if row.telegram_id == INSPECTOR else "zh-TW"
            session.add(row)

    bot.db.call(languages)
    filed = file_on(bot.db, date(2026, 11, 2), reporter=reporter, contact=("陳雅婷", "0912000111"))
    await bot.press(SECRETARY, f"case:unit:{filed.number}:sec1", replies=2)
    await bot.fake.async_wait_for("sendMessage", chat_id=INSPECTOR)
    await bot.fake.async_wait_for("sendMessage", chat_id=colleague)
    english, chinese = bot.fake.last_text(INSPECTOR), bot.fake.last_text(colleague)
    assert f"Case <b>{filed.number}</b> (Product report) is assigned to your unit" in english
    assert "已分派貴單位" in chinese and "商品檢舉" in chinese
    # the deadline as each reads dates: ROC in Chinese, like every date the public reads
    assert f"處理期限 {roc(filed.due_on)}" in chinese
    assert filed.due_on.isoformat() in english
    for text in (english, chinese):
        assert "Chen" not in text and "陳雅婷" not in text and "0912000111" not in text
        assert str(FIRM) not in text
    assert bot.fake.sent(elsewhere) == []


async def test_pressing_the_same_unit_twice_assigns_once_and_tells_the_reporter_once(
    bot: BotHarness,
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    reporter = person(bot.db, FIRM)
    filed = file_on(bot.db, date(2026, 11, 2), reporter=reporter)
    await bot.press(SECRETARY, f"case:unit:{filed.number}:sec1", language_code="en", replies=2)
    again = await bot.press(SECRETARY, f"case:unit:{filed.number}:sec1", language_code="en")
    assert "already assigned to that unit" in again
    await bot.fake.async_wait_for("sendMessage", chat_id=FIRM)
    assert len(bot.fake.sent(FIRM)) == 1
    assert len(events(bot, "assign")) == 1


async def test_another_command_ends_the_wait_so_a_later_text_is_not_taken_as_the_note(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    prompt = await bot.press(INSPECTOR, f"case:a:note:{number}", language_code="en")
    assert "any other command" in prompt
    assert "Open cases" in await bot.say(INSPECTOR, "/cases", language_code="en")
    assert await answers_to(bot, INSPECTOR, "meeting at three") == []
    assert events(bot, "note") == []
    # pressing the button again starts a new wait that is honoured
    await bot.press(INSPECTOR, f"case:a:note:{number}", language_code="en")
    assert "Note done" in await bot.say(INSPECTOR, "Sample sent to the lab.", language_code="en")


async def test_the_extension_prompt_says_how_its_days_are_counted(bot: BotHarness) -> None:
    number = assigned_case(bot)
    prompt = await bot.press(INSPECTOR, f"case:a:extend:{number}", language_code="en")
    assert "number of days (working days on Taiwan" in prompt


async def test_a_prompt_still_waits_after_a_restart_of_the_bot(bot: BotHarness) -> None:
    number = assigned_case(bot)
    await bot.press(INSPECTOR, f"case:a:note:{number}", language_code="en")
    await bot.restart()
    done = await bot.say(INSPECTOR, "Inspected the shop after the restart.", language_code="en")
    assert "Note done" in done
    assert [e.note for e in events(bot, "note")] == ["Inspected the shop after the restart."]


async def test_assigning_by_button_audits_the_assignment_and_the_view_it_shows(
    bot: BotHarness,
) -> None:

    person(bot.db, SECRETARY, Role.SECRETARIAT)
    filed = file_on(bot.db, date(2026, 11, 2))
    await bot.press(SECRETARY, f"case:unit:{filed.number}:sec1", language_code="en", replies=2)
    await bot.fake.async_wait_for("editMessageText", chat_id=SECRETARY)
    assert IDENTITY_NOTE in bot.fake.calls("editMessageText")[-1].text
    entries = bot.db.call(
        lambda session: list(session.exec(select(AuditEntry)).all())  # type: ignore[misc]
    )
    assert [(a.action, a.target, a.allowed) for a in entries] == [
        ("case.assign", filed.number, True),
        ("case.view", filed.number, True),
    ]


async def test_the_units_inspector_pressing_a_secretariat_action_is_refused_and_audited(
    bot: BotHarness,
) -> None:
    number = staff_and_case(bot)
    for action in ("assign", "transfer", "duplicate", "not_handled"):
        refused = await bot.press(INSPECTOR, f"case:a:{action}:{number}", language_code="en")
        assert "cannot take this action" in refused
    assert refusals(bot) == [
        (f"case.{action}", number, INSPECTOR)
        for action in ("assign", "transfer", "duplicate", "not_handled")
    ]
    for entry in audit(bot):
        assert NAME not in (entry.detail or "") and PHONE not in (entry.detail or "")
    stored = bot.db.call(lambda session: session.exec(select(Case)).one())  # type: ignore[misc]
    assert stored.state == "assigned"
