"""What the courtesy chat tests share: a planned 2026 with two inspectors linked, a person with
a saved language and a role, a button pressed for its callback answer, and several pressed at
once for theirs."""

from __future__ import annotations

import asyncio

from storage.db import Database
from storage.models import Role
from storage.queries.courtesy import fetch_test_views
from storage.queries.people import set_language
from tests.courtesy.plans import linked_call
from tests.factories import person
from tests.fakes.inspection import Call
from tests.harness import BotHarness

FIRM = 5003


def prepare(db: Database) -> tuple[str, str]:
    """A directory and a 2026 plan; two inspectors linked (`plans.INSPECTOR` and
    `plans.OTHER`); returns the first inspector's first business call and the extension
    it dials."""
    code, _, _ = linked_call(db)
    called = next(v for v in db.call(fetch_test_views, year=2026) if v.code == code)
    return code, called.extension


def staff(db: Database, telegram_id: int, *, language: str | None, role: Role | None) -> None:
    """A person (made, or found) with a saved `language` and `role`, either optional."""
    view = person(db, telegram_id, *([role] if role is not None else []), name="x")
    if language is not None:
        db.call(set_language, person_id=view.id, language=language)


async def answer_to(bot: BotHarness, user: int, data: str) -> str:
    """Press a button and return the text of the callback answer (an alert or a toast)."""
    before = len(bot.fake.calls("answerCallbackQuery"))
    bot.fake.press_button(user, data, language_code="en")
    await bot.fake.async_wait_for(
        lambda _c: len(bot.fake.calls("answerCallbackQuery")) > before, timeout=5
    )
    return bot.fake.calls("answerCallbackQuery")[-1].params.get("text") or ""


async def press_all(bot: BotHarness, user: int, data: list[str]) -> list[Call]:
    """Press every button of `data` at once (in English) and return the callback answers, once
    each has one and the bot has had a moment to send anything else it would."""
    before = len(bot.fake.calls("answerCallbackQuery"))
    for each in data:
        bot.fake.press_button(user, each, language_code="en")
    await bot.wait_until(
        lambda: len(bot.fake.calls("answerCallbackQuery")) >= before + len(data),
        what="an answer to every button",
    )
    await asyncio.sleep(0.5)
    return bot.fake.calls("answerCallbackQuery")[before:]
