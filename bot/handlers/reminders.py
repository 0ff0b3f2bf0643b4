"""Firms: /reminders turns this chat's certificate expiry reminders off or on (a chat whose
/profile holds a 統一編號 receives them)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.edge.callbacks import StaleButton
from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import unchanged_is_fine
from bot.edge.features import Command, Feature
from bot.notices.expiry import ReminderSetting, reminder_setting, turn_reminders
from kernel.clock import utcnow
from kernel.i18n import t

PREFIX = "rem"  # rem:off turns reminders off, rem:on turns them on


def setting_text(setting: ReminderSetting, lang: str) -> str:
    if setting.tax_id is None:
        return t(lang, "expiry_chat.no_tax_id")
    key = "expiry_chat.state_off" if setting.off else "expiry_chat.state_on"
    return t(lang, key, tax_id=setting.tax_id)


def setting_keyboard(setting: ReminderSetting, lang: str) -> InlineKeyboardMarkup | None:
    if setting.tax_id is None:
        return None
    action, label = (
        ("on", "expiry_chat.turn_on") if setting.off else ("off", "expiry_chat.turn_off")
    )
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(lang, label), callback_data=f"{PREFIX}:{action}")]]
    )


async def reminders(update: Update, context: BotContext) -> None:
    """Say whether this chat gets expiry reminders, with one button to turn them off or on."""
    assert update.effective_message is not None and context.person is not None
    setting = await context.services.db.run(reminder_setting, person_id=context.person.id)
    await update.effective_message.reply_text(
        setting_text(setting, context.lang), reply_markup=setting_keyboard(setting, context.lang)
    )


async def reminders_pressed(update: Update, context: BotContext) -> None:
    """Turn reminders off or on and edit the same message to say so."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.person is not None
    if query.data not in (f"{PREFIX}:off", f"{PREFIX}:on"):
        raise StaleButton(f"not a reminders button: {query.data[:80]!r}")
    action = query.data.removeprefix(f"{PREFIX}:")
    setting = await context.services.db.run(
        turn_reminders, person_id=context.person.id, off=action == "off", now=utcnow()
    )
    lang = context.lang
    if setting.tax_id is None:
        await query.answer()
        with unchanged_is_fine():
            await query.edit_message_text(setting_text(setting, lang))
        return
    await query.answer(t(lang, "expiry_chat.now_off" if setting.off else "expiry_chat.now_on"))
    with unchanged_is_fine():
        await query.edit_message_text(
            setting_text(setting, lang), reply_markup=setting_keyboard(setting, lang)
        )


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("reminders", reminders))
    app.add_handler(CallbackQueryHandler(reminders_pressed, pattern=rf"^{PREFIX}:"))


FEATURE = Feature(
    name="reminders",
    callback_prefixes=(PREFIX,),
    register=register,
    commands=(Command("reminders"),),
)
