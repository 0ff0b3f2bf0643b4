"""Staff prompts that lapse, refusals before a prompt, stale buttons and texts too long for one
message: the edges of handling a case in chat."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

import bot.handlers.cases as case_handlers
from kernel.clock import utcnow
from storage.models import Case, CaseEvent, Role
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


async def test_the_prompt_says_the_next_message_is_taken_how_to_cancel_and_when_it_lapses(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    prompt = await bot.press(INSPECTOR, f"case:a:note:{number}", language_code="en")
    assert "next message is taken" in prompt and "/cancel" in prompt
    assert f"lapses after {case_handlers.PENDING_MINUTES} minutes" in prompt


async def test_a_reply_prompt_left_waiting_lapses_and_a_later_message_reaches_no_reporter(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = assigned_case(bot)
    await bot.press(INSPECTOR, f"case:a:reply:{number}", language_code="en")
    later = utcnow() + timedelta(minutes=case_handlers.PENDING_MINUTES + 1)
    monkeypatch.setattr(case_handlers, "utcnow", lambda: later)
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
    bot.app.user_data[INSPECTOR][case_handlers.PENDING] = ["note", number]  # no lapse time
    reply = await bot.say(INSPECTOR, "an old wait", language_code="en")
    assert "not recorded" in reply
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


async def test_a_stale_files_button_says_the_case_is_not_found_not_an_internal_error(
    bot: BotHarness,
) -> None:
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    reply = await bot.press(INSPECTOR, "case:files:P2026-09999", language_code="en")
    assert "There is no case P2026-09999" in reply


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


async def test_a_case_with_every_text_at_its_longest_still_opens_in_one_message(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)

    def lengthen(session):  # type: ignore[no-untyped-def]
        row = session.exec(select(Case)).one()
        row.subject, row.location, row.description = "商" * 500, "址" * 500, "述" * 4000
        session.add(row)

    bot.db.call(lengthen)
    day = date(2026, 11, 5)
    for _ in range(6):
        do(bot.db, number, "note", secretary, day, text="記" * 3500)
    do(bot.db, number, "reply", secretary, day, text="覆" * 3500)
    do(bot.db, number, "transfer", secretary, day, text="移" * 3500)
    view = await bot.say(SECRETARY, f"/case {number}", language_code="en")
    assert number in view and "…" in view


async def test_the_assigned_units_inspectors_are_told_in_their_language_without_the_reporter(
    bot: BotHarness,
) -> None:
    from storage.models import Person

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


def roc(day: date) -> str:
    """115/11/02: a date as a Chinese chat message writes it."""
    return f"{day.year - 1911}/{day.month:02d}/{day.day:02d}"


async def test_staff_reading_chinese_see_roc_dates_in_the_list_the_card_and_its_history(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    [case] = bot.db.call(
        lambda session: list(session.exec(select(Case)).all())  # type: ignore[misc]
    )
    listing = await bot.say(SECRETARY, "/cases")
    assert f"<code>{number}</code>" in listing and f"期限 {roc(case.due_on)}" in listing
    card = await bot.say(SECRETARY, f"/case {number}")
    assert f"收件：{roc(date(2026, 11, 2))}　期限：{roc(case.due_on)}" in card
    assert f"{roc(date(2026, 11, 3))} 分案" in card  # the history line of the assignment
    for text in (listing, card):
        assert re.search(r"\d{4}-\d{2}-\d{2}", text) is None, text
    english = await bot.say(SECRETARY, f"/case {number}", language_code="en")
    assert case.due_on.isoformat() in english


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


async def test_the_history_shows_local_dates_and_the_channel_in_words(bot: BotHarness) -> None:
    from datetime import datetime, time

    from bot.cases.lifecycle import act
    from tests.factories import TZ

    number = assigned_case(bot)
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    early = datetime.combine(date(2026, 11, 4), time(7), tzinfo=TZ)  # 23:00 UTC the day before
    bot.db.call(
        act,
        number=number,
        action="note",
        actor=secretary,
        today=date(2026, 11, 4),
        counting="working",
        text="early call",
        now=early,
    )
    view = await bot.say(SECRETARY, f"/case {number}", language_code="en")
    assert "2026-11-04 Note → assigned early call" in view
    assert "Filed → received Telegram" in view


async def test_an_inspector_of_the_unit_never_sees_who_reported_on_any_path(
    bot: BotHarness,
) -> None:
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    reporter = person(bot.db, FIRM, name="Chen Ya-ting")
    filed = file_on(bot.db, date(2026, 11, 2), reporter=reporter, contact=("陳雅婷", "0912000111"))
    await bot.press(SECRETARY, f"case:unit:{filed.number}:sec1", replies=2)
    do(bot.db, filed.number, "ask", secretary, date(2026, 11, 3), text="Which floor?")
    await bot.press(FIRM, f"rep:info:{filed.number}")
    await bot.say(FIRM, "Third floor, near the escalator.")
    await bot.fake.async_wait_for("sendMessage", chat_id=INSPECTOR, count=2)
    await bot.say(INSPECTOR, f"/case {filed.number}", language_code="en")
    await bot.say(INSPECTOR, "/cases", language_code="en")
    for message in bot.fake.sent(INSPECTOR):
        text = message.get("text") or ""
        assert "陳雅婷" not in text and "0912000111" not in text and "Chen" not in text
        assert str(FIRM) not in text and IDENTITY_NOTE not in text
    assert "陳雅婷" in await bot.say(SECRETARY, f"/case {filed.number}", language_code="en")


def test_a_pending_action_is_stored_as_json_and_read_back_also_from_the_older_list() -> None:
    wait = case_handlers.PendingAction("note", "P2026-00001", 1_800_000_000.0)
    assert case_handlers.PendingAction.from_dict(json.loads(json.dumps(wait.to_dict()))) == wait
    assert case_handlers.PendingAction.from_dict(["note", "P2026-00001", 1_800_000_000]) == wait
    for unreadable in (None, ["note", "P2026-00001"], {"action": "note"}, ["a", "b", "soon"]):
        assert case_handlers.PendingAction.from_dict(unreadable) is None


async def test_a_wait_stored_as_a_list_by_the_previous_release_is_still_honoured(
    bot: BotHarness,
) -> None:
    number = assigned_case(bot)
    await bot.press(INSPECTOR, f"case:a:note:{number}", language_code="en")
    assert bot.app is not None
    lapses_at = (utcnow() + timedelta(minutes=5)).timestamp()
    bot.app.user_data[INSPECTOR][case_handlers.PENDING] = ["note", number, lapses_at]
    assert "Note done" in await bot.say(INSPECTOR, "Sampled two units.", language_code="en")
    assert [e.note for e in events(bot, "note")] == ["Sampled two units."]


async def test_assigning_by_button_audits_the_assignment_and_the_view_it_shows(
    bot: BotHarness,
) -> None:
    from storage.models import AuditEntry

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
