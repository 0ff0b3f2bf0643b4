"""The per-update context (`bot/edge/context.py`): the services every handler shares, and for
each update a fresh context with the person loaded for it and the language they are answered
in (their chosen one, else Telegram's, else the default)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from telegram import Update
from telegram.ext import TypeHandler

from bot.application import build_application
from bot.edge.context import BotContext, Services
from bot.settings import Settings
from storage.db import Database
from storage.queries.people import PersonView
from tests.conftest import ADMIN_ID
from tests.harness import BotHarness

FIRM = 7801


def person(language: str | None) -> PersonView:
    return PersonView(id=1, telegram_id=FIRM, language=language, first_name="firm", blocked=False)


def test_the_services_read_the_settings(settings: Settings, db: Database) -> None:
    services = Services(settings=settings, db=db)
    assert services.tz == ZoneInfo("Asia/Taipei")
    assert services.admin_ids == frozenset({ADMIN_ID})


def test_the_language_is_the_persons_choice_else_telegrams_else_the_default(
    settings: Settings, db: Database
) -> None:
    app = build_application(settings, db=db)
    context = BotContext(app)
    assert context.services is app.bot_data["services"]
    assert context.lang == "zh-TW"  # nobody known, no Telegram language: the default
    context.telegram_language = "en-GB"
    assert context.lang == "en"
    context.telegram_language = "fr"
    assert context.lang == "zh-TW"  # a language the bot does not speak: the default
    context.person = person(None)  # a person who never chose
    context.telegram_language = "en"
    assert context.lang == "en"
    context.person = person("zh-TW")  # their choice wins over Telegram's
    assert context.lang == "zh-TW"
    english = settings.model_copy(update={"default_language": "en"})
    other = BotContext(build_application(english, db=db))
    other.telegram_language = "de"
    assert other.lang == "en"


async def test_each_update_gets_a_fresh_context_with_the_person_as_they_are_now(
    bot: BotHarness,
) -> None:
    assert bot.app is not None
    seen: list[tuple[BotContext, PersonView | None, str]] = []

    async def record(update: Update, context: BotContext) -> None:
        """After the handlers: what this update's context held."""
        seen.append((context, context.person, context.lang))  # kept alive: ids stay unique

    bot.app.add_handler(TypeHandler(Update, record), group=100)
    await bot.say(FIRM, "/help", language_code="en")
    await bot.say(FIRM, "/language", language_code="en")
    await bot.press(FIRM, "lang:zh-TW", language_code="en")
    await bot.say(FIRM, "/help", language_code="en")
    # the recorder runs after the reply went out: wait for it rather than for the reply
    await bot.fake.async_wait_until(lambda: len(seen) >= 4, timeout=10)
    assert len(seen) == 4
    assert len({id(context) for context, _, _ in seen}) == 4  # never one context reused
    first, last = seen[0][1], seen[-1][1]
    assert first is not None and last is not None and first.id == last.id
    assert first.telegram_id == FIRM and first.language is None
    assert seen[0][2] == "en"  # Telegram's language until they chose
    assert last.language == "zh-TW" and seen[-1][2] == "zh-TW"  # read afresh after the press
