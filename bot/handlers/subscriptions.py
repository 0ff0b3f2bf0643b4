"""Firms: /subscribe, /mysubs, /unsubscribe and `/start sub-<codes>` links."""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import stale_button_handler, unchanged_is_fine
from bot.edge.features import Command, Feature
from bot.notices.subscriptions import (
    CategoryChoice,
    my_subscriptions,
    press_subscription,
    stop_all_subscriptions,
    subscribe_by_link,
    subscribed_names,
    subscription_choices,
)
from kernel.i18n import t

logger = logging.getLogger(__name__)

SUB = "sub"  # sub:t:<category id> toggles, sub:done closes the keyboard
UNSUB = "unsub"  # unsub:yes / unsub:no
TOGGLE = re.compile(rf"{SUB}:t:([0-9]{{1,9}})")
"""A category button: ASCII digits, at most nine (category ids fit 31 bits)."""

_answer_stale = stale_button_handler("subs.button_stale")


async def stale_pressed(update: Update, context: BotContext) -> None:
    """A button whose data none of ours has (forged, or from an older version): answered as
    stale once, logged at INFO, nothing changed."""
    query = update.callback_query
    logger.info("stale or unknown button %r", (query.data or "")[:64] if query else "")
    await _answer_stale(update, context)


def subscribe_keyboard(choices: list[CategoryChoice], lang: str) -> InlineKeyboardMarkup:
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
    """`yes_key` and Keep, as `<prefix>:yes` and `<prefix>:no`."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, yes_key), callback_data=f"{prefix}:yes"),
                InlineKeyboardButton(t(lang, "subs.keep_button"), callback_data=f"{prefix}:no"),
            ]
        ]
    )


def subscribe_text(choices: list[CategoryChoice], lang: str) -> str:
    count = sum(1 for c in choices if c.subscribed)
    return t(lang, "subs.prompt", count=count)


def mysubs_text(names: list[str], lang: str) -> str:
    if not names:
        return t(lang, "subs.none")
    return t(lang, "subs.list", items="\n".join(f"• {n}" for n in names))


async def subscribe(update: Update, context: BotContext) -> None:
    """Show every category with ✅ on those subscribed; each press toggles one."""
    assert update.effective_message is not None and context.person is not None
    choices = await context.services.db.run_read(
        subscription_choices, person_id=context.person.id, language=context.lang
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
    db = context.services.db
    if query.data == f"{SUB}:done":
        await query.answer()
        names = await db.run_read(subscribed_names, person_id=context.person.id, language=lang)
        with unchanged_is_fine():
            await query.edit_message_text(mysubs_text(names, lang))
        return
    found = TOGGLE.fullmatch(query.data)
    if found is None:
        await stale_pressed(update, context)
        return
    toggled = await db.run(
        press_subscription,
        person_id=context.person.id,
        category_id=int(found.group(1)),
        language=lang,
    )
    if toggled.changed is None:
        await query.answer(t(lang, "subs.stale"), show_alert=True)
    else:
        await query.answer(t(lang, "subs.added" if toggled.changed else "subs.removed"))
    with unchanged_is_fine():
        await query.edit_message_text(
            subscribe_text(toggled.choices, lang),
            reply_markup=subscribe_keyboard(toggled.choices, lang),
        )


async def mysubs(update: Update, context: BotContext) -> None:
    """List the categories this person receives."""
    assert update.effective_message is not None and context.person is not None
    mine = await context.services.db.run_read(
        my_subscriptions, person_id=context.person.id, language=context.lang
    )
    text = mysubs_text(mine.names, context.lang)
    if mine.company_name or mine.tax_id:
        text += "\n\n" + t(
            context.lang,
            "profile.summary",
            company=mine.company_name or "—",
            tax_id=mine.tax_id or "—",
        )
    await update.effective_message.reply_text(text)


async def unsubscribe(update: Update, context: BotContext) -> None:
    """Ask before stopping every subscription."""
    assert update.effective_message is not None and context.person is not None
    names = await context.services.db.run_read(
        subscribed_names, person_id=context.person.id, language=context.lang
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
    if query.data not in (f"{UNSUB}:yes", f"{UNSUB}:no"):
        await stale_pressed(update, context)
        return
    await query.answer()
    if query.data != f"{UNSUB}:yes":
        await query.edit_message_text(t(context.lang, "subs.kept"))
        return
    removed = await context.services.db.run(stop_all_subscriptions, person_id=context.person.id)
    await query.edit_message_text(t(context.lang, "subs.unsubscribed", count=removed))


def _names(names: list[str], lang: str) -> str:
    return "、".join(names) if lang == "zh-TW" else ", ".join(names)


async def subscribe_link(update: Update, context: BotContext, payload: str) -> None:
    """`/start sub-cns_rpc`: subscribe in one tap and say what was done."""
    assert update.effective_message is not None and context.person is not None
    lang = context.lang
    result = await context.services.db.run(
        subscribe_by_link, person_id=context.person.id, payload=payload, language=lang
    )
    lines = []
    if result.added:
        lines.append(t(lang, "subs.link_added", names=_names(result.added, lang)))
    if result.already:
        lines.append(t(lang, "subs.link_already", names=_names(result.already, lang)))
    if result.unknown:
        lines.append(t(lang, "subs.link_unknown", codes=", ".join(result.unknown)))
    lines.append(t(lang, "subs.link_more"))
    await update.effective_message.reply_text("\n".join(lines))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("subscribe", subscribe))
    app.add_handler(CallbackQueryHandler(subscribe_pressed, pattern=rf"^{SUB}:"))  # checks all
    app.add_handler(CommandHandler("mysubs", mysubs))
    app.add_handler(CommandHandler("unsubscribe", unsubscribe))
    app.add_handler(CallbackQueryHandler(unsubscribe_pressed, pattern=rf"^{UNSUB}:"))


FEATURE = Feature(
    name="subscriptions",
    callback_prefixes=(SUB, UNSUB),
    register=register,
    commands=(
        Command("subscribe"),
        Command("mysubs"),
        Command("unsubscribe"),
    ),
    deep_links={"sub": subscribe_link},
)
