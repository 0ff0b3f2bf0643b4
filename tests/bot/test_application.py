"""The application as assembled: every feature installed with distinct button prefixes; an
unexpected error reaches the person as one sentence in their language, never a traceback, and
is the only answer to the update that failed; in webhook mode, updates with the secret token
are handled and others refused."""

from __future__ import annotations

import json
import socket

import httpx
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, TypeHandler

from bot.application import build_application, features, webhook_options
from bot.edge.context import BotContext
from bot.handlers.cases.acting import PENDING
from bot.settings import Settings
from storage.db import Database
from tests.fakes import FakeBotApi
from tests.harness import BotHarness

USER = 6001
SORRY = "Sorry, something went wrong on our side"
PRIVACY = "Personal Data Protection Act, Art. 8"


def test_the_installed_features_build_with_distinct_prefixes(settings: Settings) -> None:
    build_application(settings)
    claimed = [p for feature in features() for p in feature.callback_prefixes]
    assert claimed and len(claimed) == len(set(claimed))


async def boom(update: object, context: object) -> None:
    """A handler that fails."""
    raise RuntimeError("database exploded")


async def replies_until_privacy(bot: BotHarness, user_id: int, before: int) -> list[str]:
    """Ask for /privacy and wait for its answer: the bot handles one chat's updates in order, so
    by then every earlier update of this chat is finished. Returns the texts sent after
    `before`, the privacy notice included."""
    bot.fake.send_text(user_id, "/privacy", language_code="en")
    await bot.fake.async_wait_for(
        lambda call: call.method == "sendMessage" and PRIVACY in (call.text or ""),
        chat_id=user_id,
    )
    return [m.get("text", "") for m in bot.fake.sent(user_id)[before:]]


async def test_an_unexpected_error_is_one_sentence_in_the_persons_language(
    bot: BotHarness,
) -> None:
    assert bot.app is not None
    bot.app.add_handler(CommandHandler("boom", boom), group=-2)
    await bot.say(USER, "/language", language_code="zh-hant")
    await bot.press(USER, "lang:en", language_code="zh-hant")
    before = len(bot.fake.sent(USER))
    bot.fake.send_text(USER, "/boom", language_code="zh-hant")
    replies = await replies_until_privacy(bot, USER, before)
    assert len(replies) == 2, replies  # the error sentence, then the privacy notice
    reply = replies[0]
    assert reply.startswith(SORRY)
    assert "Traceback" not in reply and "exploded" not in reply


async def test_a_person_whose_loading_fails_gets_only_the_error_sentence(
    bot: BotHarness,
) -> None:
    assert bot.app is not None
    failing = {"on": True}

    async def flaky_load(update: Update, context: BotContext) -> None:
        """Fails once, as a database that is briefly away would."""
        if failing.pop("on", False):
            raise RuntimeError("database away")

    bot.app.add_handler(TypeHandler(Update, flaky_load), group=-2)
    before = len(bot.fake.sent(USER))
    bot.fake.send_text(USER, "/start", language_code="en")
    replies = await replies_until_privacy(bot, USER, before)
    assert len(replies) == 2, replies
    assert replies[0].startswith(SORRY)


async def test_a_failing_command_still_ends_a_wait_for_a_text(bot: BotHarness) -> None:
    assert bot.app is not None

    async def start_wait(update: Update, context: BotContext) -> None:
        """Open a wait for a text, as a case action button does."""
        assert update.callback_query is not None and context.user_data is not None
        context.user_data[PENDING] = ["note", 1, 2**31]
        await update.callback_query.answer()

    bot.app.add_handler(CommandHandler("boom", boom), group=-2)
    # Under a declared prefix: the edge answers any other as a stale button before group -2.
    bot.app.add_handler(CallbackQueryHandler(start_wait, pattern="^lang:test-wait$"), group=-2)
    await bot.say(USER, "/language", language_code="en")
    bot.fake.press_button(USER, "lang:test-wait", language_code="en")
    await bot.fake.async_wait_for("answerCallbackQuery")
    assert PENDING in bot.app.user_data[USER]
    bot.fake.send_text(USER, "/boom", language_code="en")
    # A button (not a command, which would end the wait itself) marks when /boom is finished.
    bot.fake.press_button(USER, "lang:en", language_code="en")
    await bot.fake.async_wait_for("editMessageText", chat_id=USER)
    assert bot.fake.last_text(USER) == "Language set to English."
    assert any(SORRY in (m.get("text") or "") for m in bot.fake.sent(USER))
    assert PENDING not in bot.app.user_data[USER]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_webhook_update_without_the_secret_is_refused(
    settings: Settings, fake_api: FakeBotApi, db: Database
) -> None:
    port = free_port()
    config = Settings.model_validate(
        {
            **settings.model_dump(),
            "webhook_url": "https://bsmi.example.gov.tw/hook",
            "webhook_secret_token": "s3cret-token",
            "webhook_port": port,
        }
    )
    options = webhook_options(config)
    app = build_application(config, db=db)
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_webhook(**options)
    try:
        set_hook = fake_api.calls("setWebhook")[-1].params
        assert set_hook["url"] == f"https://bsmi.example.gov.tw/hook/{options['url_path']}"
        assert set_hook["secret_token"] == "s3cret-token"
        update = fake_api.make_text_update(5001, "/help", language_code="en")
        url = f"http://127.0.0.1:{port}/{options['url_path']}"
        async with httpx.AsyncClient() as client:
            refused = await client.post(
                url, content=json.dumps(update), headers={"content-type": "application/json"}
            )
            wrong = await client.post(
                url,
                content=json.dumps(update),
                headers={
                    "content-type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": "guess",
                },
            )
            accepted = await client.post(
                url,
                content=json.dumps(update),
                headers={
                    "content-type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": "s3cret-token",
                },
            )
        assert (refused.status_code, wrong.status_code, accepted.status_code) == (403, 403, 200)
        await fake_api.async_wait_for("sendMessage", chat_id=5001, timeout=5)
        assert len(fake_api.sent(5001)) == 1
        assert "Commands you can use" in fake_api.last_text(5001)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
