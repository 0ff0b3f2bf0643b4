"""Firms: /profile (company name, then 統一編號, each optional) and /forget (delete the firm's
subscriptions and details at its request)."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import cancel_handler
from bot.edge.features import Command, Feature
from bot.handlers.subscriptions import confirm_keyboard, stale_pressed
from bot.notices.firms import (
    ProfileDraft,
    clean_company_name,
    clean_tax_id,
    current_profile,
    save_profile,
)
from bot.notices.subscriptions import forget as forget_firm
from kernel.errors import UserError
from kernel.i18n import t

logger = logging.getLogger(__name__)

FORGET = "forget"  # forget:yes / forget:no
DRAFT = "profile"  # the conversation's key in user data
PROFILE_COMPANY, PROFILE_TAX_ID = range(2)


def _draft(context: BotContext) -> ProfileDraft:
    assert context.user_data is not None
    return ProfileDraft.from_dict(context.user_data.get(DRAFT))


def _save(context: BotContext, draft: ProfileDraft) -> None:
    assert context.user_data is not None
    context.user_data[DRAFT] = draft.to_dict()


async def profile(update: Update, context: BotContext) -> int:
    """Start the optional profile: company name, then 統一編號."""
    assert update.effective_message is not None and context.person is not None
    current = await context.services.db.run(current_profile, person_id=context.person.id)
    _save(context, current)
    await update.effective_message.reply_text(
        t(
            context.lang,
            "profile.ask_company",
            company=current.company or "—",
            tax_id=current.tax_id or "—",
        )
    )
    return PROFILE_COMPANY


async def profile_company(update: Update, context: BotContext) -> int:
    """Take the company name (or /skip to keep it) and ask for the 統一編號."""
    message = update.effective_message
    assert message is not None and message.text is not None
    draft = _draft(context)
    if message.text.strip() != "/skip":
        try:
            draft.company = clean_company_name(message.text)
        except UserError as exc:
            await message.reply_text(t(context.lang, exc.key, **exc.values))
            return PROFILE_COMPANY
    _save(context, draft)
    await message.reply_text(t(context.lang, "profile.ask_tax_id"))
    return PROFILE_TAX_ID


async def profile_tax_id(update: Update, context: BotContext) -> int:
    """Check the 統一編號 with the official check rule, then save the profile."""
    message = update.effective_message
    assert message is not None and message.text is not None and context.person is not None
    draft = _draft(context)
    if message.text.strip() != "/skip":
        try:
            draft.tax_id = clean_tax_id(message.text)
        except UserError as exc:
            await message.reply_text(t(context.lang, exc.key, **exc.values))
            return PROFILE_TAX_ID
    await context.services.db.run(save_profile, person_id=context.person.id, profile=draft)
    assert context.user_data is not None
    context.user_data.pop(DRAFT, None)
    await message.reply_text(
        t(
            context.lang,
            "profile.saved",
            company=draft.company or "—",
            tax_id=draft.tax_id or "—",
        )
    )
    return ConversationHandler.END


_cancel = cancel_handler(DRAFT, "cancel.done")


async def profile_cancel(update: Update, context: BotContext) -> int:
    """Leave the profile unchanged."""
    return await _cancel(update, context)


async def forget(update: Update, context: BotContext) -> None:
    """Ask before deleting subscriptions and profile."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        t(context.lang, "forget.confirm"),
        reply_markup=confirm_keyboard(FORGET, context.lang, "forget.button"),
    )


async def forget_pressed(update: Update, context: BotContext) -> None:
    """On yes: close unsent deliveries and delete the person (subscriptions, profile go too)."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.person is not None
    if query.data not in (f"{FORGET}:yes", f"{FORGET}:no"):
        await stale_pressed(update, context)
        return
    await query.answer()
    lang = context.lang
    if query.data != f"{FORGET}:yes":
        await query.edit_message_text(t(lang, "forget.kept"))
        return
    await context.services.db.run(forget_firm, person_id=context.person.id)
    if update.effective_user is not None:  # e.g. the survey answer a typed reply would fill
        context.application.drop_user_data(update.effective_user.id)
    logger.info("person %s was forgotten at their request", context.person.id)
    context.person = None
    await query.edit_message_text(t(lang, "forget.done"))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("forget", forget))
    app.add_handler(CallbackQueryHandler(forget_pressed, pattern=rf"^{FORGET}:"))
    text = filters.TEXT & ~filters.COMMAND
    skip = filters.Regex(r"^/skip$")
    app.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("profile", profile)],
            states={
                PROFILE_COMPANY: [MessageHandler(text | skip, profile_company)],
                PROFILE_TAX_ID: [MessageHandler(text | skip, profile_tax_id)],
            },
            fallbacks=[CommandHandler("cancel", profile_cancel)],
            name="profile",
            allow_reentry=True,
        )
    )


FEATURE = Feature(
    name="profile",
    callback_prefixes=(FORGET,),
    register=register,
    commands=(Command("profile"), Command("forget")),
)
