"""/categories in chat (bot/handlers/categories.py): an admin sees every category with its
subscribers and subscribe link, adds one from a message of three lines and renames one from two
(the CLI's checks: code format, duplicates, control characters cleaned; audited, refusals too),
retires one after a confirmation (audited; its subscribers kept, new ones refused), keeps one by
saying no; an inspector is refused and audited; stale or unknown buttons are answered once,
without an error."""

from __future__ import annotations

import asyncio
import json

from sqlmodel import col, select
from typer.testing import CliRunner

from bot.cli.app import app
from bot.notices.categories import create_category
from storage.models import AuditEntry, Category, Role
from tests.bot.handlers.subscribers import category_id
from tests.conftest import ADMIN_ID
from tests.factories import person
from tests.harness import BotHarness

FIRM, OTHER_FIRM, INSPECTOR = 6001, 6002, 6003


def audited(bot: BotHarness, *actions: str) -> list[tuple[str, str | None, bool, str | None]]:
    """The audit rows of these actions, oldest first: action, target, allowed, detail."""
    rows = bot.db.call(
        lambda session: session.exec(
            select(AuditEntry)
            .where(col(AuditEntry.action).in_(actions))
            .order_by(col(AuditEntry.id))
        ).all()
    )
    return [(r.action, r.target, r.allowed, r.detail) for r in rows]


def names(bot: BotHarness, code: str) -> tuple[str, str]:
    found = bot.db.call(
        lambda session: session.exec(select(Category).where(Category.code == code)).one()
    )
    return found.name_zh, found.name_en


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


async def test_an_admin_adds_a_category_in_one_message_and_firms_can_subscribe_to_it(
    bot: BotHarness, cli: CliRunner
) -> None:
    await bot.say(ADMIN_ID, "/categories", language_code="en")
    asked = await bot.press(ADMIN_ID, "ncat:add", language_code="en")
    assert "Send the new category in one message, on three lines" in asked
    added = await bot.say(ADMIN_ID, "Toys\n玩具\u200b安全\nToy\x07 Safety", language_code="en")
    assert added.startswith("Added the category <code>toys</code>: Toy Safety (玩具安全).")
    assert "<code>toys</code> Toy Safety (玩具安全): 0 subscribers" in added
    assert names(bot, "toys") == ("玩具安全", "Toy Safety")
    [(action, target, allowed, detail)] = audited(bot, "category.add")
    assert (action, target, allowed) == ("category.add", "toys", True)
    assert json.loads(detail or "") == {"zh": "玩具安全", "en": "Toy Safety"}
    welcome = await bot.say(FIRM, "/start sub-toys", language_code="en")
    assert "Toy Safety" in welcome
    again = cli.invoke(app, ["category", "add", "toys", "--zh", "玩具", "--en", "Toys"])
    assert again.exit_code == 2 and "“toys” already exists" in again.stderr


async def test_a_duplicate_or_malformed_code_is_refused_audited_and_the_corrected_one_added(
    bot: BotHarness,
) -> None:
    await bot.say(ADMIN_ID, "/categories", language_code="en")
    await bot.press(ADMIN_ID, "ncat:add", language_code="en")
    taken = await bot.say(ADMIN_ID, "cns | 重複 | Duplicate", language_code="en")
    assert taken == (
        "The category code “cns” already exists.\nCorrect it and send it again, or /cancel."
    )
    bad = await bot.say(ADMIN_ID, "9lives\n九命\nNine Lives", language_code="en")
    assert bad.startswith("The category code “9lives” is not valid")
    short = await bot.say(ADMIN_ID, "toys\n玩具", language_code="en")
    assert short.startswith("Three lines are needed")
    assert names(bot, "cns") == ("正字標記", "CNS Mark")
    added = await bot.say(ADMIN_ID, "toys\n玩具\nToys", language_code="en")
    assert added.startswith("Added the category <code>toys</code>: Toys (玩具).")
    assert audited(bot, "category.add") == [
        ("category.add", "cns", False, "notices.code_taken"),
        ("category.add", "9lives", False, "notices.bad_code"),
        ("category.add", "toys", True, '{"zh": "玩具", "en": "Toys"}'),
    ]
    bot.fake.send_text(ADMIN_ID, "toys2\n玩具二\nToys 2", language_code="en")
    await bot.settle()
    assert len(audited(bot, "category.add")) == 3  # the wait ended with the category added


async def test_an_admin_renames_a_category_keeping_its_code_and_one_name(bot: BotHarness) -> None:
    await bot.say(ADMIN_ID, "/categories", language_code="en")
    cns = category_id(bot.db, "cns")
    asked = await bot.press(ADMIN_ID, f"ncat:ren:{cns}", language_code="en")
    assert "New names for “CNS Mark” (正字標記, code <code>cns</code>)" in asked
    renamed = await bot.say(ADMIN_ID, "正字標記（CNS）\n-", language_code="en")
    assert renamed.startswith("Renamed <code>cns</code>: CNS Mark (正字標記（CNS）).")
    assert names(bot, "cns") == ("正字標記（CNS）", "CNS Mark")
    [(_, target, allowed, detail)] = audited(bot, "category.rename")
    assert (target, allowed) == ("cns", True)
    assert json.loads(detail or "") == {
        "before": {"zh": "正字標記", "en": "CNS Mark"},
        "after": {"zh": "正字標記（CNS）", "en": "CNS Mark"},
    }
    await bot.press(ADMIN_ID, f"ncat:ren:{cns}", language_code="en")
    refused = await bot.say(ADMIN_ID, "-\n-", language_code="en")
    assert refused.startswith("Please give both a Chinese and an English name")
    cancelled = await bot.say(ADMIN_ID, "/cancel", language_code="en")
    assert cancelled == "Cancelled; no category changed."
    assert names(bot, "cns") == ("正字標記（CNS）", "CNS Mark")
    assert [r[2] for r in audited(bot, "category.rename")] == [True, False]


async def test_an_inspector_can_neither_add_nor_rename_and_is_audited(bot: BotHarness) -> None:
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    denied = await bot.say(INSPECTOR, "/categories", language_code="en")
    assert "you do not have permission" in denied
    cns = category_id(bot.db, "cns")
    for data in ("ncat:add", f"ncat:ren:{cns}"):
        before = len(bot.fake.calls("answerCallbackQuery"))
        bot.fake.press_button(INSPECTOR, data, language_code="en")
        await bot.fake.async_wait_for(
            lambda _c, n=before: len(bot.fake.calls("answerCallbackQuery")) > n, timeout=5
        )
        assert "permission" in bot.fake.calls("answerCallbackQuery")[-1].params["text"]
    rows = audited(bot, "denied:categories", "denied:category_pressed")
    assert rows == [
        ("denied:categories", None, False, "/categories"),
        ("denied:category_pressed", None, False, "ncat:add"),
        ("denied:category_pressed", None, False, f"ncat:ren:{cns}"),
    ]
    assert names(bot, "cns") == ("正字標記", "CNS Mark")


async def test_more_than_ten_categories_are_listed_ten_a_page(bot: BotHarness) -> None:
    for n in range(3):
        bot.db.call(create_category, code=f"extra{n}", name_zh=f"額外{n}", name_en=f"Extra {n}")
    first = await bot.say(ADMIN_ID, "/categories", language_code="en")
    assert "Page 1 of 2" in first and "extra1" not in first and len(first) <= 4096
    second = await bot.press(ADMIN_ID, "ncat:page:1", language_code="en")
    assert "Page 2 of 2" in second and "<code>extra1</code>" in second and "cns" not in second
    assert bot.fake.button_data(ADMIN_ID, "◀️") == "ncat:page:0"
