"""Admins: /categories, every category with its subscribers and subscribe link, and retiring one
after a confirmation (no new subscriptions or notices; history kept)."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.edge.access import ADMIN, requires
from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import unchanged_is_fine
from bot.edge.features import Command, Feature
from bot.handlers.subscriptions import stale_pressed
from bot.notices.categories import (
    CategoryOverview,
    CategoryRow,
    category_overview,
    retire_category_by_admin,
)
from kernel.i18n import t

CATEGORY = "ncat"  # ncat:retire:<id> asks, ncat:yes:<id> retires, ncat:no keeps
PRESSED = re.compile(rf"{CATEGORY}:(?:(retire|yes):([0-9]{{1,9}})|(no))")
"""Every button of /categories: known verbs, ids of ASCII digits, at most nine."""


def overview_view(
    overview: CategoryOverview, context: BotContext
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The /categories text and its retire buttons (one per active category)."""
    lang = context.lang
    lines = [t(lang, "categories.header")]
    buttons = []
    for row in overview.rows:
        key = "categories.retired_line" if row.retired else "categories.line"
        lines.append(
            t(
                lang,
                key,
                code=row.code,
                name=row.name,
                other=row.other_name,
                count=row.subscribers,
                link=f"https://t.me/{context.bot.username}?start=sub-{row.code}",
            )
        )
        if not row.retired:
            buttons.append(
                [
                    InlineKeyboardButton(
                        t(lang, "categories.retire_button", name=row.name),
                        callback_data=f"{CATEGORY}:retire:{row.id}",
                    )
                ]
            )
    lines.append(t(lang, "categories.cli_hint"))
    return "\n".join(lines), InlineKeyboardMarkup(buttons) if buttons else None


def retire_question(row: CategoryRow, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    """Are you sure? — naming the category and how many still receive it."""
    confirm = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "categories.retire_yes"), callback_data=f"{CATEGORY}:yes:{row.id}"
                ),
                InlineKeyboardButton(t(lang, "subs.keep_button"), callback_data=f"{CATEGORY}:no"),
            ]
        ]
    )
    text = t(
        lang, "categories.retire_confirm", name=row.name, code=row.code, count=row.subscribers
    )
    return text, confirm


@requires(*ADMIN)
async def categories(update: Update, context: BotContext) -> None:
    """Every category with its code, names, subscribers and subscribe link."""
    assert update.effective_message is not None
    overview = await context.services.db.run(category_overview, language=context.lang)
    text, markup = overview_view(overview, context)
    await update.effective_message.reply_text(
        text, reply_markup=markup, disable_web_page_preview=True
    )


@requires(*ADMIN)
async def category_pressed(update: Update, context: BotContext) -> None:
    """Retire a category after a confirmation: no new subscriptions, history kept."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang
    pressed = PRESSED.fullmatch(query.data)
    if pressed is None:
        await stale_pressed(update, context)
        return
    action = pressed.group(1) or pressed.group(3)
    category_id = int(pressed.group(2)) if pressed.group(2) else None
    db = context.services.db
    if action == "yes":
        user = update.effective_user
        retirement = await db.run(
            retire_category_by_admin,
            category_id=category_id,
            actor_telegram_id=user.id if user else None,
            language=lang,
        )
        overview = retirement.overview
        if retirement.retired is None:
            await query.answer(t(lang, "subs.stale"), show_alert=True)
        else:
            await query.answer()
    else:
        overview = await db.run(category_overview, language=lang)
        found = overview.active(category_id)
        if action == "retire" and found is None:
            await query.answer(t(lang, "subs.stale"), show_alert=True)
        elif action == "retire" and found is not None:
            await query.answer()
            text, confirm = retire_question(found, lang)
            with unchanged_is_fine():
                await query.edit_message_text(text, reply_markup=confirm)
            return
        else:
            await query.answer()
    text, markup = overview_view(overview, context)
    with unchanged_is_fine():
        await query.edit_message_text(text, reply_markup=markup, disable_web_page_preview=True)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("categories", categories))
    app.add_handler(CallbackQueryHandler(category_pressed, pattern=rf"^{CATEGORY}:"))


FEATURE = Feature(
    name="categories",
    callback_prefixes=(CATEGORY,),
    register=register,
    commands=(Command("categories", ADMIN),),
)
