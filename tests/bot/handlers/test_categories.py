"""/categories in chat (bot/handlers/categories.py): an admin sees every category with its
subscribers and subscribe link, retires one after a confirmation (audited; its subscribers
kept, new ones refused), keeps one by saying no; stale or unknown buttons are answered once,
without an error."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from storage.models import AuditEntry, Category
from tests.bot.handlers.subscribers import category_id
from tests.conftest import ADMIN_ID
from tests.harness import BotHarness

FIRM, OTHER_FIRM = 6001, 6002


async def test_an_admin_sees_categories_with_links_and_retires_one(bot: BotHarness) -> None:
    await bot.say(FIRM, "/start sub-type", language_code="en")
    view = await bot.say(ADMIN_ID, "/categories", language_code="en")
    assert "<code>type</code> Type Approval (型式認可): 1 subscribers" in view
    assert "?start=sub-type" in view
    type_id = category_id(bot.db, "type")
    asked = await bot.press(ADMIN_ID, f"ncat:retire:{type_id}", language_code="en")
    assert "Retire “Type Approval” (<code>type</code>)? Its 1 subscribers" in asked
    with bot.db.transaction() as session:
        assert session.get(Category, type_id).retired_at is None  # type: ignore[union-attr]
    updated = await bot.press(ADMIN_ID, f"ncat:yes:{type_id}", language_code="en")
    assert "(retired): 1 still subscribed" in updated
    with bot.db.transaction() as session:
        audit = session.exec(
            select(AuditEntry).where(AuditEntry.action == "category.retire")
        ).one()
    assert audit.target == "type"
    reply = await bot.say(OTHER_FIRM, "/start sub-type", language_code="en")
    assert "no longer offered (retired): type" in reply


async def test_a_mistaken_retire_is_kept_and_stale_buttons_are_answered_once_without_an_error(
    bot: BotHarness,
) -> None:
    await bot.say(ADMIN_ID, "/categories", language_code="en")
    cns = category_id(bot.db, "cns")
    await bot.press(ADMIN_ID, f"ncat:retire:{cns}", language_code="en")
    kept = await bot.press(ADMIN_ID, "ncat:no", language_code="en")
    assert "<code>cns</code> CNS Mark" in kept and "(retired)" not in kept
    sent_before = len(bot.fake.calls("sendMessage", chat_id=ADMIN_ID))
    answers_before = len(bot.fake.calls("answerCallbackQuery"))
    bot.fake.press_button(ADMIN_ID, "ncat:yes:99999", language_code="en")  # an unknown id
    bot.fake.press_button(ADMIN_ID, "ncat:retire:99999", language_code="en")
    await bot.fake.async_wait_for(
        lambda _c: len(bot.fake.calls("answerCallbackQuery")) >= answers_before + 2, timeout=5
    )
    await asyncio.sleep(0.5)
    answers = bot.fake.calls("answerCallbackQuery")[answers_before:]
    assert len(answers) == 2 and all("no longer valid" in a.params["text"] for a in answers)
    assert len(bot.fake.calls("sendMessage", chat_id=ADMIN_ID)) == sent_before  # no error reply
    with bot.db.transaction() as session:
        assert session.get(Category, cns).retired_at is None  # type: ignore[union-attr]
