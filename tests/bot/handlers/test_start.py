"""/start, /help, /language, /privacy and unknown commands, end to end through the fake Bot API."""

from __future__ import annotations

from bot.notices.rendering import MESSAGE_LIMIT, message_length
from kernel.i18n import LANGUAGES, t
from storage.queries.people import fetch_person_view
from tests.conftest import ADMIN_ID
from tests.harness import BotHarness
from tests.statements import recorded_statements, writes

FIRM = 2001


async def test_start_welcomes_in_traditional_chinese_by_default(bot: BotHarness) -> None:
    reply = await bot.say(FIRM, "/start", language_code="zh-hant", first_name="王小明")
    assert "經濟部標準檢驗局新竹分局" in reply
    assert "王小明" in reply
    assert "/privacy" in reply


async def test_start_welcomes_in_english_for_an_english_telegram(bot: BotHarness) -> None:
    reply = await bot.say(FIRM, "/start", language_code="en-GB", first_name="Amy")
    assert "BSMI Hsinchu Branch service bot" in reply
    assert "Hello, Amy!" in reply


async def test_a_language_choice_is_remembered_across_a_restart(bot: BotHarness) -> None:
    await bot.say(FIRM, "/language", language_code="zh-hant")
    assert ("English", "lang:en") in bot.fake.buttons(bot.fake.sent(FIRM)[-1])
    changed = await bot.press(FIRM, "lang:en", language_code="zh-hant")
    assert changed == "Language set to English."
    await bot.restart()
    reply = await bot.say(FIRM, "/start", language_code="zh-hant")
    assert "BSMI Hsinchu Branch service bot" in reply


async def test_privacy_lists_the_article_8_items(bot: BotHarness) -> None:
    reply = await bot.say(FIRM, "/privacy")
    for item in ("蒐集機關", "蒐集目的", "個人資料類別", "利用期間", "利用地區與對象", "利用方式"):
        assert item in reply
    english = await bot.say(FIRM + 1, "/privacy", language_code="en")
    assert "Personal Data Protection Act, Art. 8" in english


async def test_an_unknown_command_points_to_help(bot: BotHarness) -> None:
    reply = await bot.say(FIRM, "/frobnicate", language_code="en")
    assert "/help" in reply


async def test_help_differs_by_role(bot: BotHarness) -> None:
    firm_help = await bot.say(FIRM, "/help", language_code="en")
    admin_help = await bot.say(ADMIN_ID, "/help", language_code="en")
    assert "/invite" not in firm_help and "/roles" not in firm_help
    assert "/invite" in admin_help and "/roles" in admin_help
    assert "/privacy" in firm_help and "/privacy" in admin_help


async def test_admins_get_their_commands_in_their_own_chat_menu(bot: BotHarness) -> None:
    calls = bot.fake.calls("setMyCommands")
    admin_menus = [c for c in calls if (c.params.get("scope") or {}).get("chat_id") == ADMIN_ID]
    assert admin_menus, "no per-chat menu was set for the admin"
    names = [command["command"] for command in admin_menus[-1].params["commands"]]
    assert "invite" in names and "roles" in names
    defaults = [c for c in calls if (c.params.get("scope") or {}).get("type") == "default"]
    assert defaults
    for call in defaults:
        assert "invite" not in [command["command"] for command in call.params["commands"]]


async def test_a_language_button_for_no_language_we_speak_changes_nothing(bot: BotHarness) -> None:
    await bot.say(FIRM, "/language", language_code="en")
    answer = await bot.press(FIRM, "lang:fr", language_code="en")
    assert answer == "This button is no longer valid."
    view = bot.db.call(fetch_person_view, telegram_id=FIRM)
    assert view is not None and view.language is None


async def test_privacy_gives_the_branchs_contact_and_the_article_3_rights(bot: BotHarness) -> None:
    reply = await bot.say(FIRM, "/privacy")
    phone, address = bot.settings.branch_contact_phone, bot.settings.branch_contact_address
    assert phone and address
    assert f"電話 {phone}，地址 {address}" in reply
    rights = "查詢或閱覽、製給複製本、補充或更正、停止蒐集、處理或利用、刪除"
    assert rights in reply
    for fact in (
        "Telegram 設於境外的伺服器",
        "/unsubscribe 只停止依類別訂閱的即時通公告",
        "送達證明",
    ):
        assert fact in reply
    english = await bot.say(FIRM + 1, "/privacy", language_code="en")
    assert f"phone {phone}, address {address}" in english
    for right in (
        "inquire into or review",
        "get a copy",
        "supplement or correct",
        "collection, processing or use stopped",
        "deleted",
    ):
        assert right in english


async def test_privacy_names_the_register_matching_the_reminders_and_the_survey_data(
    bot: BotHarness,
) -> None:
    chinese = await bot.say(FIRM, "/privacy")
    for fact in (
        "以統一編號比對本分局證書登錄資料後寄送的證書屆期提醒",
        "依統一編號寄送的公告",
        "滿意度調查的評分與意見",
        "/reminders 只停止證書屆期提醒",
        "滿意度調查回答與您的帳號解除連結，之後只以不具身分的方式保存",
        "在 /forget 之後只保留對話代號經單向雜湊",
    ):
        assert fact in chinese, fact
    english = await bot.say(FIRM + 1, "/privacy", language_code="en")
    for fact in (
        "certificate expiry reminders, found by matching your tax ID with the branch's "
        "certificate register",
        "notices to a list of tax IDs",
        "your satisfaction-survey scores and comments",
        "/reminders stops only certificate expiry reminders",
        "survey answers stay, unlinked from you and without identity",
        "only a one-way hash of it after /forget",
    ):
        assert fact in english, fact


def test_the_privacy_notice_fits_one_message_with_a_long_contact() -> None:
    long = {"phone": "+886 (3) 542-7027 轉 12345", "address": "臺" * 200}  # 200: the most allowed
    for language in LANGUAGES:
        text = t(language, "privacy.text", **long)
        assert message_length(text) <= MESSAGE_LIMIT, language


async def test_a_person_whose_names_are_unchanged_is_loaded_without_a_write(
    bot: BotHarness,
) -> None:
    await bot.quiet()
    await bot.say(FIRM, "/help", language_code="en", first_name="Amy", username="amy")
    await bot.settle()
    with recorded_statements(bot.db.engine) as seen:
        await bot.say(FIRM, "/help", language_code="en", first_name="Amy", username="amy")
        await bot.settle()
    assert seen  # the person was read
    assert writes(seen) == []
    with recorded_statements(bot.db.engine) as seen:
        await bot.say(FIRM, "/help", language_code="en", first_name="Amy", username="amy_w")
        await bot.settle()
    assert [s.split()[0] for s in writes(seen) if not s.startswith("BEGIN")] == ["UPDATE"]
    stored = bot.db.read(fetch_person_view, telegram_id=FIRM)
    assert stored is not None and stored.username == "amy_w"
