"""/profile and /forget in chat (bot/handlers/profile.py): a firm's company name and 統一編號,
refused when the tax ID fails its check or is all zeros, control characters dropped from the
name, the prompt saying what the details are used for; /forget asks first, then deletes the
subscriptions and the profile."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Person, Subscription
from tests.bot.handlers.subscribers import subscribed_codes
from tests.harness import BotHarness

ALICE, CAROL = 3001, 3003


async def test_profile_refuses_a_bad_tax_id_and_saves_a_valid_one(bot: BotHarness) -> None:
    await bot.say(CAROL, "/profile", language_code="en")
    await bot.say(CAROL, "Hsinchu Lamps Ltd.", language_code="en")
    refused = await bot.say(CAROL, "12345678", language_code="en")
    assert "fails the Ministry of Finance check digit" in refused
    shape = await bot.say(CAROL, "1234", language_code="en")
    assert "8 digits" in shape
    saved = await bot.say(CAROL, "10000004", language_code="en")
    assert "Hsinchu Lamps Ltd." in saved and "10000004" in saved
    with bot.db.transaction() as session:
        person = session.exec(select(Person).where(Person.telegram_id == CAROL)).one()
    assert (person.company_name, person.tax_id) == ("Hsinchu Lamps Ltd.", "10000004")


async def test_forget_after_confirmation_deletes_subscriptions_and_profile(
    bot: BotHarness,
) -> None:
    await bot.say(ALICE, "/start sub-cns", language_code="en")
    await bot.say(ALICE, "/profile", language_code="en")
    await bot.say(ALICE, "Acme", language_code="en")
    await bot.say(ALICE, "04595257", language_code="en")
    ask = await bot.say(ALICE, "/forget", language_code="en")
    assert (
        "Delete your subscriptions, company details, and the name, phone and Telegram account"
        " kept with cases?" in ask
    )
    await bot.press(ALICE, "forget:no", language_code="en")
    assert subscribed_codes(bot.db, ALICE) == {"cns"}
    await bot.say(ALICE, "/forget", language_code="en")
    done = await bot.press(ALICE, "forget:yes", language_code="en")
    assert "Deleted: your subscriptions, company details" in done
    with bot.db.transaction() as session:
        assert session.exec(select(Person).where(Person.telegram_id == ALICE)).first() is None
        assert session.exec(select(Subscription)).all() == []


async def test_a_tax_id_of_zeros_is_refused_and_control_characters_leave_the_company_name(
    bot: BotHarness,
) -> None:
    await bot.say(ALICE, "/profile", language_code="en")
    await bot.say(ALICE, "Acme\x00 Trading\x07 Co.", language_code="en")
    refused = await bot.say(ALICE, "00000000", language_code="en")
    assert "not a valid" in refused
    refused = await bot.say(ALICE, "0000-0000", language_code="en")
    assert "not a valid" in refused
    saved = await bot.say(ALICE, "04595257", language_code="en")
    assert "Acme Trading Co." in saved
    with bot.db.transaction() as session:
        alice = session.exec(select(Person).where(Person.telegram_id == ALICE)).one()
        assert alice.company_name == "Acme Trading Co." and alice.tax_id == "04595257"


async def test_profile_says_what_the_company_details_are_used_for_now(bot: BotHarness) -> None:
    prompt = await bot.say(CAROL, "/profile", language_code="zh-hant")
    assert "只用於" not in prompt
    for use in (
        "依統一編號名單寄送的公告",
        "證書屆期提醒（可用 /reminders 關閉）",
        "與貴公司聯繫",
    ):
        assert use in prompt, use
    await bot.say(CAROL, "/cancel", language_code="zh-hant")
    english = await bot.say(CAROL, "/profile", language_code="en")
    assert "used only" not in english
    assert "notices the branch sends to a list of tax IDs" in english
    assert "certificate expiry reminders" in english and "/reminders turns them off" in english
