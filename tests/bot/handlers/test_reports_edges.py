"""/report at its edges: texts as long as Telegram allows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from kernel.clock import utcnow
from storage.models import Case, Role
from tests.harness import BotHarness

FIRM = 7201


async def test_a_description_as_long_as_a_message_still_gets_its_summary_and_is_filed_whole(
    bot: BotHarness,
) -> None:
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:product", language_code="en", replies=2)
    await bot.say(FIRM, "S" * 600, language_code="en")
    await bot.say(FIRM, "W" * 600, language_code="en")
    description = "充電時外殼過熱變形。" * 400  # 4,000 characters
    await bot.say(FIRM, description, language_code="en")
    await bot.say(FIRM, "/skip", language_code="en")
    summary = await bot.say(FIRM, "🙈 Stay anonymous", language_code="en", replies=2)
    assert "Please check your report" in summary and "…" in summary
    filed = await bot.press(FIRM, "rep:submit", language_code="en")
    assert "Received as case" in filed
    stored = bot.db.call(lambda session: session.exec(select(Case)).one())  # type: ignore[misc]
    assert stored.description == description


async def _ask(bot: BotHarness) -> str:
    from datetime import date

    from storage.models import Role
    from tests.factories import do, file_on, person

    secretary = person(bot.db, 7202, Role.SECRETARIAT)
    reporter = person(bot.db, FIRM)
    filed = file_on(bot.db, date(2026, 11, 2), reporter=reporter)
    do(bot.db, filed.number, "ask", secretary, date(2026, 11, 3), text="Which shop exactly?")
    return filed.number


async def test_a_reporters_answer_left_waiting_lapses_and_a_later_message_is_not_passed_on(
    bot: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.handlers.reports as report_handlers

    number = await _ask(bot)
    prompt = await bot.press(FIRM, f"rep:info:{number}", language_code="en")
    assert "within 60 minutes" in prompt and "/cancel" in prompt
    later = utcnow() + timedelta(minutes=report_handlers.INFO_MINUTES + 1)
    monkeypatch.setattr(report_handlers, "utcnow", lambda: later)
    reply = await bot.say(FIRM, "see you tomorrow", language_code="en")
    assert "not passed on" in reply
    stored = bot.db.call(lambda session: session.exec(select(Case)).one())  # type: ignore[misc]
    assert stored.state == "needs_info"


async def test_an_answer_button_of_a_request_already_answered_says_so_before_asking(
    bot: BotHarness,
) -> None:
    number = await _ask(bot)
    await bot.press(FIRM, f"rep:info:{number}", language_code="en")
    assert "Thank you" in await bot.say(FIRM, "The Guangfu Road branch.", language_code="en")
    again = await bot.press(FIRM, f"rep:info:{number}", language_code="en")
    assert "is not waiting for information from you" in again
    assert "/status" in again


async def test_a_photo_where_words_are_expected_and_a_contact_where_files_are_get_a_clear_line(
    bot: BotHarness,
) -> None:
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:product", language_code="en", replies=2)
    before = len(bot.fake.sent(FIRM))
    bot.fake.send_photo(FIRM, "photo-too-early")
    assert "in words" in await bot.wait_reply(FIRM, before=before)
    assert "Where did you see it" in await bot.say(FIRM, "Heater HX-200", language_code="en")
    await bot.say(FIRM, "Zhubei mall", language_code="en")
    await bot.say(FIRM, "It smells of burning plastic.", language_code="en")
    before = len(bot.fake.sent(FIRM))
    bot.fake.send_contact(FIRM, "+886912000111", "Chen")
    assert "send a photo or document" in await bot.wait_reply(FIRM, before=before)


async def test_submit_pressed_again_or_after_cancel_says_the_button_is_stale(
    bot: BotHarness,
) -> None:
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:service", language_code="en", replies=2)
    await bot.say(FIRM, "Long wait at the counter", language_code="en")
    await bot.say(FIRM, "/skip", language_code="en")
    await bot.say(FIRM, "Waited ninety minutes on Monday.", language_code="en")
    await bot.say(FIRM, "/skip", language_code="en")
    await bot.say(FIRM, "🙈 Stay anonymous", language_code="en", replies=2)
    assert "Received as case" in await bot.press(FIRM, "rep:submit", language_code="en")
    again = await bot.press(FIRM, "rep:submit", language_code="en")
    assert "earlier step or an earlier report" in again
    stored = bot.db.call(lambda session: session.exec(select(Case)).all())  # type: ignore[misc]
    assert len(stored) == 1


async def test_a_monitor_whose_role_ends_while_filing_may_choose_another_kind(
    bot: BotHarness,
) -> None:
    from storage.models import RoleGrant
    from storage.queries.people import revoke_grant
    from tests.factories import person

    person(bot.db, FIRM, Role.MONITOR)
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:monitor", language_code="en", replies=2)
    await bot.say(FIRM, "Helmet RideSafe R1", language_code="en")
    await bot.say(FIRM, "Night market, Zhongli", language_code="en")
    await bot.say(FIRM, "No inspection mark on the helmet.", language_code="en")
    await send_photo_as(bot, "helmet-photo")
    await bot.press(FIRM, "rep:done", language_code="en")
    await bot.say(FIRM, "🙈 Stay anonymous", language_code="en", replies=2)
    grant = bot.db.call(lambda session: session.exec(select(RoleGrant)).one())  # type: ignore[misc]
    bot.db.call(revoke_grant, grant_id=grant.id, revoked_by_id=None)
    refused = await bot.press(FIRM, "rep:submit", language_code="en")
    assert "only for the branch's appointed product monitors" in refused
    kinds = [data for _, data in bot.fake.buttons(bot.fake.sent(FIRM)[-1])]
    assert "rep:kind:product" in kinds and "rep:kind:monitor" not in kinds
    await bot.press(FIRM, "rep:kind:product", language_code="en", replies=2)
    await bot.say(FIRM, "Helmet RideSafe R1", language_code="en")
    await bot.say(FIRM, "Night market, Zhongli", language_code="en")
    await bot.say(FIRM, "No inspection mark on the helmet.", language_code="en")
    assert "File 2 received" in await send_photo_as(bot, "box-photo")
    await bot.press(FIRM, "rep:done", language_code="en")
    await bot.say(FIRM, "🙈 Stay anonymous", language_code="en", replies=2)
    assert "Received as case <b>P" in await bot.press(FIRM, "rep:submit", language_code="en")


async def send_photo_as(bot: BotHarness, file_id: str) -> str:
    before = len(bot.fake.sent(FIRM))
    bot.fake.send_photo(FIRM, file_id)
    return await bot.wait_reply(FIRM, before=before)


def test_an_information_wait_is_stored_as_json_and_read_back_also_from_older_shapes() -> None:
    import json

    from bot.handlers.reports import InfoWait

    wait = InfoWait("P2026-00001", 1_800_000_000.0)
    assert InfoWait.from_dict(json.loads(json.dumps(wait.to_dict()))) == wait
    assert InfoWait.from_dict(["P2026-00001", 1_800_000_000]) == wait
    # older shapes without a lapse time read as lapsed, keeping the number for the message
    assert InfoWait.from_dict("P2026-00001") == InfoWait("P2026-00001", 0.0)
    assert InfoWait.from_dict(None) == InfoWait("", 0.0)
    assert InfoWait.from_dict({"number": "P2026-00001"}) == InfoWait("P2026-00001", 0.0)


async def test_a_report_submitted_in_chat_tells_the_secretariat_after_the_reply(
    bot: BotHarness,
) -> None:
    from tests.factories import person

    person(bot.db, 7202, Role.SECRETARIAT)
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:service", language_code="en", replies=2)
    await bot.say(FIRM, "Long wait at the counter", language_code="en")
    await bot.say(FIRM, "/skip", language_code="en")
    await bot.say(FIRM, "Waited ninety minutes on Monday.", language_code="en")
    await bot.say(FIRM, "/skip", language_code="en")
    await bot.say(FIRM, "🙈 Stay anonymous", language_code="en", replies=2)
    assert "Received as case <b>S" in await bot.press(FIRM, "rep:submit", language_code="en")
    await bot.fake.async_wait_for("sendMessage", chat_id=7202)
    assert "Long wait at the counter" in bot.fake.last_text(7202)
