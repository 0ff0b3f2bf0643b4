"""A petitioner answers a request for information: the answer reaches the unit and the clock
resumes; a wait left too long lapses and passes nothing on; a request already answered says
so before asking; a wait stored by an earlier release reads as lapsed."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlmodel import select

from bot.cases.actions import Action
from kernel.clock import utcnow
from storage.models import Case, Role
from tests.factories import do, file_on, person
from tests.harness import BotHarness

FIRM = 6001
SECRETARY = 6003
INSPECTOR = 6004


def cases(bot: BotHarness) -> list[Case]:
    return bot.db.call(
        lambda session: list(session.exec(select(Case).order_by(Case.id)).all())  # type: ignore[arg-type]
    )


async def test_a_reporter_shares_a_contact_and_answers_a_request_for_information(
    bot: BotHarness,
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec4")
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:product", language_code="en", replies=2)
    await bot.say(FIRM, "Dehumidifier DryAir D12", language_code="en")
    await bot.say(FIRM, "Zhubei shopping mall", language_code="en")
    await bot.say(FIRM, "The power cord is thinner than the label says.", language_code="en")
    await bot.say(FIRM, "/skip", language_code="en")
    before = len(bot.fake.sent(FIRM))
    bot.fake.send_contact(FIRM, "+886912000111", "Chen", last_name="Ya-ting")
    reply = await bot.wait_reply(FIRM, before=before, count=2)
    assert "Chen Ya-ting, +886912000111" in reply
    reply = await bot.press(FIRM, "rep:submit", language_code="en")
    number = re.search(r"P\d{4}-\d{5}", reply)
    assert number is not None
    number_text = number.group()
    await bot.fake.async_wait_for("sendMessage", chat_id=SECRETARY)  # the new-case notice
    view = await bot.say(SECRETARY, f"/case {number_text}", language_code="en")
    assert "Chen Ya-ting, phone +886912000111" in view and f"Telegram {FIRM}" in view
    await bot.press(SECRETARY, f"case:unit:{number_text}:sec4", language_code="en", replies=2)
    await bot.press(SECRETARY, f"case:a:ask:{number_text}", language_code="en")
    before = len(bot.fake.sent(FIRM))
    done = await bot.say(SECRETARY, "Which branch of the mall?", language_code="en")
    assert "waiting for information" in done
    await bot.wait_reply(FIRM, before=before)
    assert "Which branch of the mall?" in bot.fake.last_text(FIRM)
    prompt = await bot.press(FIRM, f"rep:info:{number_text}", language_code="en")
    assert f"information for case {number_text}" in prompt
    before = len(bot.fake.sent(INSPECTOR))
    thanks = await bot.say(FIRM, "The Zhubei Guangming branch, 3rd floor.", language_code="en")
    assert "Thank you" in thanks
    await bot.wait_reply(INSPECTOR, before=before)
    assert "Guangming branch" in bot.fake.last_text(INSPECTOR)
    stored = cases(bot)
    assert stored[0].state == "investigating" and stored[0].paused_on is None


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
    import bot.handlers.filing.information as information
    from bot.edge import waiting

    number = await _ask(bot)
    prompt = await bot.press(FIRM, f"rep:info:{number}", language_code="en")
    assert "within 60 minutes" in prompt and "/cancel" in prompt
    later = utcnow() + timedelta(minutes=information.INFO_MINUTES + 1)
    monkeypatch.setattr(waiting, "utcnow", lambda: later)
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


async def test_an_information_wait_stored_by_an_earlier_release_is_treated_as_lapsed(
    bot: BotHarness,
) -> None:
    from bot.handlers.filing.information import INFO_FOR

    number = await _ask(bot)
    await bot.press(FIRM, f"rep:info:{number}", language_code="en")
    assert bot.app is not None
    lapses_at = (utcnow() + timedelta(minutes=5)).timestamp()
    bot.app.user_data[FIRM][INFO_FOR] = {"number": number, "lapses_at": lapses_at}
    reply = await bot.say(FIRM, "The Guangfu Road branch.", language_code="en")
    assert "not recorded" in reply
    stored = bot.db.call(lambda session: session.exec(select(Case)).one())  # type: ignore[misc]
    assert stored.state == "needs_info"


async def test_the_thanks_for_an_answer_is_signed_by_the_branch(bot: BotHarness) -> None:
    reporter = person(bot.db, FIRM)
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    filed = file_on(bot.db, date(2026, 11, 2), reporter=reporter)
    do(
        bot.db,
        filed.number,
        Action.ASK_INFO,
        secretary,
        date(2026, 11, 2),
        text="Which shop exactly?",
    )
    await bot.press(FIRM, f"rep:info:{filed.number}", language_code="en")
    thanks = await bot.say(FIRM, "The Guangfu Road branch.", language_code="en")
    assert "Thank you" in thanks and "BSMI Hsinchu Branch" in thanks
    assert f"phone {bot.settings.branch_contact_phone}" in thanks
