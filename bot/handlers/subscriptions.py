"""Firms: /subscribe, /mysubs, /unsubscribe, /profile, /forget and `/start sub-<codes>` links."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import notices
from bot.edge.context import BotApplication, BotContext
from bot.edge.features import Command, Feature
from kernel.errors import UserError
from kernel.i18n import t
from storage.queries import notices as q
from storage.queries.people import set_language

logger = logging.getLogger(__name__)


def _data(context: BotContext) -> dict:
    """This person's conversation scratch space (always present for a user's update)."""
    assert context.user_data is not None
    return context.user_data


SUB = "sub"  # sub:t:<category id> toggles, sub:done closes the keyboard
UNSUB = "unsub"  # unsub:yes / unsub:no
FORGET = "forget"  # forget:yes / forget:no

PROFILE_COMPANY, PROFILE_TAX_ID = range(2)


@contextlib.contextmanager
def unchanged_is_fine() -> Iterator[None]:
    """A second press of the same button asks Telegram for an edit that changes nothing;
    Telegram refuses it ("message is not modified"), which is no error here."""
    try:
        yield
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise


def subscribe_keyboard(choices: list[notices.CategoryChoice], lang: str) -> InlineKeyboardMarkup:
    """One button per category, ✅ on those subscribed; a Done button last."""
    rows = [
        [
            InlineKeyboardButton(
                ("✅ " if c.subscribed else "▫️ ") + c.name, callback_data=f"{SUB}:t:{c.id}"
            )
        ]
        for c in choices
    ]
    rows.append([InlineKeyboardButton(t(lang, "subs.done_button"), callback_data=f"{SUB}:done")])
    return InlineKeyboardMarkup(rows)


def confirm_keyboard(prefix: str, lang: str, yes_key: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, yes_key), callback_data=f"{prefix}:yes"),
                InlineKeyboardButton(t(lang, "subs.keep_button"), callback_data=f"{prefix}:no"),
            ]
        ]
    )


async def remember_language(context: BotContext) -> None:
    """Notices go out in the language the person sees the bot in; keep it if none was chosen."""
    person = context.person
    if person is not None and person.language is None:
        await context.services.db.run(set_language, person_id=person.id, language=context.lang)


def subscribe_text(choices: list[notices.CategoryChoice], lang: str) -> str:
    count = sum(1 for c in choices if c.subscribed)
    return t(lang, "subs.prompt", count=count)


async def subscribe(update: Update, context: BotContext) -> None:
    """Show every category with ✅ on those subscribed; each press toggles one."""
    assert update.effective_message is not None and context.person is not None
    choices = await context.services.db.run(
        notices.subscription_choices, person_id=context.person.id, language=context.lang
    )
    await update.effective_message.reply_text(
        subscribe_text(choices, context.lang),
        reply_markup=subscribe_keyboard(choices, context.lang),
    )


async def subscribe_pressed(update: Update, context: BotContext) -> None:
    """Toggle one category and edit the same message; answer stale buttons politely."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.person is not None
    lang = context.lang
    parts = query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    argument = parts[2] if len(parts) > 2 else ""
    db = context.services.db
    if action == "done":
        await query.answer()
        names = await db.run(notices.subscribed_names, person_id=context.person.id, language=lang)
        with unchanged_is_fine():
            await query.edit_message_text(mysubs_text(names, lang))
        return
    if action != "t" or not argument.isdigit():
        await query.answer(t(lang, "subs.stale"), show_alert=True)
        return
    changed = await db.run(
        notices.toggle_subscription, person_id=context.person.id, category_id=int(argument)
    )
    if changed is None:
        await query.answer(t(lang, "subs.stale"), show_alert=True)
    else:
        await remember_language(context)
        await query.answer(t(lang, "subs.added" if changed else "subs.removed"))
    choices = await db.run(
        notices.subscription_choices, person_id=context.person.id, language=lang
    )
    with unchanged_is_fine():
        await query.edit_message_text(
            subscribe_text(choices, lang), reply_markup=subscribe_keyboard(choices, lang)
        )


def mysubs_text(names: list[str], lang: str) -> str:
    if not names:
        return t(lang, "subs.none")
    return t(lang, "subs.list", items="\n".join(f"• {n}" for n in names))


async def mysubs(update: Update, context: BotContext) -> None:
    """List the categories this person receives."""
    assert update.effective_message is not None and context.person is not None
    names = await context.services.db.run(
        notices.subscribed_names, person_id=context.person.id, language=context.lang
    )
    profile = await context.services.db.run(q.fetch_profile, person_id=context.person.id)
    text = mysubs_text(names, context.lang)
    if profile.company_name or profile.tax_id:
        text += "\n\n" + t(
            context.lang,
            "profile.summary",
            company=profile.company_name or "—",
            tax_id=profile.tax_id or "—",
        )
    await update.effective_message.reply_text(text)


async def unsubscribe(update: Update, context: BotContext) -> None:
    """Ask before stopping every subscription."""
    assert update.effective_message is not None and context.person is not None
    names = await context.services.db.run(
        notices.subscribed_names, person_id=context.person.id, language=context.lang
    )
    if not names:
        await update.effective_message.reply_text(t(context.lang, "subs.none"))
        return
    await update.effective_message.reply_text(
        t(context.lang, "subs.unsubscribe_confirm", count=len(names)),
        reply_markup=confirm_keyboard(UNSUB, context.lang, "subs.unsubscribe_button"),
    )


async def unsubscribe_pressed(update: Update, context: BotContext) -> None:
    """Stop all subscriptions on yes; keep them on no."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.person is not None
    await query.answer()
    if query.data != f"{UNSUB}:yes":
        await query.edit_message_text(t(context.lang, "subs.kept"))
        return
    removed = await context.services.db.run(
        q.remove_all_subscriptions, person_id=context.person.id
    )
    await query.edit_message_text(t(context.lang, "subs.unsubscribed", count=removed))


async def subscribe_link(update: Update, context: BotContext, payload: str) -> None:
    """`/start sub-cns_rpc`: subscribe in one tap and say what was done."""
    assert update.effective_message is not None and context.person is not None
    lang = context.lang
    result = await context.services.db.run(
        notices.subscribe_by_codes,
        person_id=context.person.id,
        codes=notices.parse_category_codes(payload),
        language=lang,
    )
    await remember_language(context)
    lines = []
    if result.added:
        lines.append(
            t(
                lang,
                "subs.link_added",
                names="、".join(result.added) if lang == "zh-TW" else ", ".join(result.added),
            )
        )
    if result.already:
        lines.append(
            t(
                lang,
                "subs.link_already",
                names="、".join(result.already) if lang == "zh-TW" else ", ".join(result.already),
            )
        )
    if result.unknown:
        lines.append(t(lang, "subs.link_unknown", codes=", ".join(result.unknown)))
    lines.append(t(lang, "subs.link_more"))
    await update.effective_message.reply_text("\n".join(lines))


# --- profile ----------------------------------------------------------------------------------


async def profile(update: Update, context: BotContext) -> int:
    """Start the optional profile: company name, then 統一編號."""
    assert update.effective_message is not None and context.person is not None
    current = await context.services.db.run(q.fetch_profile, person_id=context.person.id)
    _data(context)["profile"] = {
        "company": current.company_name,
        "tax_id": current.tax_id,
    }
    await update.effective_message.reply_text(
        t(
            context.lang,
            "profile.ask_company",
            company=current.company_name or "—",
            tax_id=current.tax_id or "—",
        )
    )
    return PROFILE_COMPANY


async def profile_company(update: Update, context: BotContext) -> int:
    """Take the company name (or /skip to keep it) and ask for the 統一編號."""
    message = update.effective_message
    assert message is not None and message.text is not None
    draft = _data(context).setdefault("profile", {})
    if message.text.strip() != "/skip":
        try:
            draft["company"] = notices.clean_company_name(message.text)
        except UserError as exc:
            await message.reply_text(t(context.lang, exc.key, **exc.values))
            return PROFILE_COMPANY
    await message.reply_text(t(context.lang, "profile.ask_tax_id"))
    return PROFILE_TAX_ID


async def profile_tax_id(update: Update, context: BotContext) -> int:
    """Check the 統一編號 with the official check rule, then save the profile."""
    message = update.effective_message
    assert message is not None and message.text is not None and context.person is not None
    draft = _data(context).setdefault("profile", {})
    if message.text.strip() != "/skip":
        try:
            draft["tax_id"] = notices.clean_tax_id(message.text)
        except UserError as exc:
            await message.reply_text(t(context.lang, exc.key, **exc.values))
            return PROFILE_TAX_ID
    await context.services.db.run(
        q.save_profile,
        person_id=context.person.id,
        company_name=draft.get("company"),
        tax_id=draft.get("tax_id"),
    )
    _data(context).pop("profile", None)
    await message.reply_text(
        t(
            context.lang,
            "profile.saved",
            company=draft.get("company") or "—",
            tax_id=draft.get("tax_id") or "—",
        )
    )
    return ConversationHandler.END


async def profile_cancel(update: Update, context: BotContext) -> int:
    """Leave the profile unchanged."""
    assert update.effective_message is not None
    _data(context).pop("profile", None)
    await update.effective_message.reply_text(t(context.lang, "cancel.done"))
    return ConversationHandler.END


# --- forget -----------------------------------------------------------------------------------


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
    await query.answer()
    lang = context.lang
    if query.data != f"{FORGET}:yes":
        await query.edit_message_text(t(lang, "forget.kept"))
        return
    await context.services.db.run(notices.forget, person_id=context.person.id)
    logger.info("person %s was forgotten at their request", context.person.id)
    context.person = None
    await query.edit_message_text(t(lang, "forget.done"))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("subscribe", subscribe))
    app.add_handler(CallbackQueryHandler(subscribe_pressed, pattern=rf"^{SUB}:"))
    app.add_handler(CommandHandler("mysubs", mysubs))
    app.add_handler(CommandHandler("unsubscribe", unsubscribe))
    app.add_handler(CallbackQueryHandler(unsubscribe_pressed, pattern=rf"^{UNSUB}:"))
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
    name="subscriptions",
    callback_prefixes=(SUB, UNSUB, FORGET),
    register=register,
    commands=(
        Command("subscribe"),
        Command("mysubs"),
        Command("unsubscribe"),
        Command("profile"),
        Command("forget"),
    ),
    deep_links={"sub": subscribe_link},
)
