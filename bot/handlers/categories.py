"""Admins: /categories, every category with its subscribers and subscribe link (ten a page);
「新增類別」 adds one and 「更名」 renames one from a message of lines (code, 中文名稱, English
name; or the two names), through the functions `category add` and `category rename` use;
retiring one after a confirmation (no new subscriptions or notices; history kept). Each change
is audited, a refused one too."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from bot.edge import waiting
from bot.edge.access import ADMIN, requires
from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import unchanged_is_fine
from bot.edge.features import Command, Feature
from bot.handlers.subscriptions import stale_pressed
from bot.notices.categories import (
    CategoryOverview,
    CategoryRow,
    add_category_by_admin,
    category_overview,
    rename_category_by_admin,
    retire_category_by_admin,
)
from kernel.i18n import t

CATEGORY = "ncat"
"""ncat:retire:<id> asks, ncat:yes:<id> retires, ncat:no keeps; ncat:add and ncat:ren:<id> ask
for a new category's or new names' message; ncat:page:<n> turns the page."""
PRESSED = re.compile(
    rf"{CATEGORY}:(?:(retire|yes|ren|page):([0-9]{{1,9}})|(no|add))",
)
"""Every button of /categories: known verbs, numbers of ASCII digits, at most nine."""
WAIT = "categories"
"""The wait for a message: payload {"verb": "add"} or {"verb": "rename", "id": category id}."""
WAIT_MINUTES = 30
PAGE_SIZE = 10
KEEP = "-"
"""A rename's line that keeps the name as it is."""


def overview_view(
    overview: CategoryOverview, context: BotContext, page: int = 0
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of the /categories text, a rename button per category and a retire button per
    active one, the page buttons and 「新增類別」."""
    lang = context.lang
    last = max(0, (len(overview.rows) - 1) // PAGE_SIZE)
    page = min(max(page, 0), last)
    lines = [t(lang, "categories.header")]
    if last:
        lines.append(t(lang, "categories.page", page=page + 1, pages=last + 1))
    buttons = []
    for row in overview.rows[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]:
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
        pair = [
            InlineKeyboardButton(
                t(lang, "categories.rename_button", name=row.name),
                callback_data=f"{CATEGORY}:ren:{row.id}",
            )
        ]
        if not row.retired:
            pair.append(
                InlineKeyboardButton(
                    t(lang, "categories.retire_button", name=row.name),
                    callback_data=f"{CATEGORY}:retire:{row.id}",
                )
            )
        buttons.append(pair)
    turns = [
        InlineKeyboardButton(label, callback_data=f"{CATEGORY}:page:{to}")
        for label, to, shown in (("◀️", page - 1, page > 0), ("▶️", page + 1, page < last))
        if shown
    ]
    if turns:
        buttons.append(turns)
    buttons.append(
        [InlineKeyboardButton(t(lang, "categories.add_button"), callback_data=f"{CATEGORY}:add")]
    )
    lines.append(t(lang, "categories.hint"))
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


def page_of(overview: CategoryOverview, code: str) -> int:
    """The page that lists the category `code`."""
    index = next((i for i, r in enumerate(overview.rows) if r.code == code), 0)
    return index // PAGE_SIZE


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


def message_fields(text: str) -> list[str]:
    """A message's fields: one a line, or on one line separated by `|`; blank lines skipped."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) == 1 and "|" in lines[0]:
        lines = [part.strip() for part in lines[0].split("|")]
    return lines


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
    """Turn the page, ask for a new category or new names, or retire a category after a
    confirmation (no new subscriptions, history kept)."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    lang = context.lang
    pressed = PRESSED.fullmatch(query.data)
    if pressed is None:
        await stale_pressed(update, context)
        return
    action = pressed.group(1) or pressed.group(3)
    number = int(pressed.group(2)) if pressed.group(2) else None
    db = context.services.db
    page = 0
    if action == "yes":
        user = update.effective_user
        retirement = await db.run(
            retire_category_by_admin,
            category_id=number,
            actor_telegram_id=user.id if user else None,
            language=lang,
        )
        overview = retirement.overview
        if retirement.retired is None:
            await query.answer(t(lang, "subs.stale"), show_alert=True)
        else:
            await query.answer()
            page = page_of(overview, retirement.retired.code)
    else:
        overview = await db.run(category_overview, language=lang)
        found = next((r for r in overview.rows if r.id == number), None)
        gone = found is None or (action == "retire" and found.retired)
        if action in ("retire", "ren") and gone:
            await query.answer(t(lang, "subs.stale"), show_alert=True)
        elif action == "retire" and found is not None:
            await query.answer()
            text, confirm = retire_question(found, lang)
            with unchanged_is_fine():
                await query.edit_message_text(text, reply_markup=confirm)
            return
        elif action in ("add", "ren"):
            await query.answer()
            await _ask(update, context, found)
            return
        else:
            await query.answer()
            page = number or 0
    text, markup = overview_view(overview, context, page)
    with unchanged_is_fine():
        await query.edit_message_text(text, reply_markup=markup, disable_web_page_preview=True)


async def _ask(update: Update, context: BotContext, row: CategoryRow | None) -> None:
    """Wait for the new category's message (no `row`) or the new names of `row`."""
    assert context.user_data is not None and update.effective_chat is not None
    lang = context.lang
    if row is None:
        payload: waiting.Payload = {"verb": "add"}
        text = t(lang, "categories.add_ask")
    else:
        payload = {"verb": "rename", "id": row.id}
        text = t(lang, "categories.rename_ask", code=row.code, name=row.name, other=row.other_name)
    waiting.open_wait(context.user_data, WAIT, payload, minutes=WAIT_MINUTES)
    await context.bot.send_message(update.effective_chat.id, text)


@requires(*ADMIN)
async def category_text(update: Update, context: BotContext) -> None:
    """The message a 「新增類別」 or 「更名」 asked for: added or renamed (audited), then the
    list; a refused one says why and waits for a corrected message."""
    message = update.effective_message
    assert message is not None and message.text is not None and context.user_data is not None
    lang = context.lang
    found = waiting.read_wait(context.user_data, WAIT)
    if not isinstance(found, waiting.Wait):
        waiting.close_wait(context.user_data, WAIT)
        await message.reply_text(waiting.lapsed_text(lang))
        return
    fields = message_fields(message.text)
    user = update.effective_user
    by = user.id if user else None
    db = context.services.db
    if found.payload.get("verb") == "add":
        if len(fields) != 3:
            await message.reply_text(t(lang, "categories.add_usage"))
            return
        change = await db.run(
            add_category_by_admin,
            code=fields[0],
            name_zh=fields[1],
            name_en=fields[2],
            actor_telegram_id=by,
            language=lang,
        )
        done_key = "categories.added"
    else:
        if len(fields) != 2:
            await message.reply_text(t(lang, "categories.rename_usage"))
            return
        zh, en = (None if field == KEEP else field for field in fields)
        change = await db.run(
            rename_category_by_admin,
            category_id=int(str(found.payload.get("id"))),
            name_zh=zh,
            name_en=en,
            actor_telegram_id=by,
            language=lang,
        )
        done_key = "categories.renamed"
    if change.error is not None:
        error = change.error
        await message.reply_text(
            t(lang, error.key, **error.values) + "\n" + t(lang, "categories.send_again")
        )
        return
    waiting.close_wait(context.user_data, WAIT)
    if change.changed is None:
        await message.reply_text(t(lang, "subs.stale"))
        return
    row = change.changed
    text, markup = overview_view(change.overview, context, page_of(change.overview, row.code))
    done = t(lang, done_key, code=row.code, name=row.name, other=row.other_name)
    await message.reply_text(
        f"{done}\n\n{text}", reply_markup=markup, disable_web_page_preview=True
    )


async def cancel(update: Update, context: BotContext) -> None:
    """/cancel while a new category or new names are awaited: nothing changed."""
    assert update.effective_message is not None and context.user_data is not None
    waiting.close_wait(context.user_data, WAIT)
    await update.effective_message.reply_text(t(context.lang, "categories.cancelled"))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("categories", categories))
    app.add_handler(CommandHandler("cancel", cancel, filters=waiting.waiting_for(app, WAIT)))
    app.add_handler(MessageHandler(waiting.text_for(app, WAIT), category_text))
    app.add_handler(CallbackQueryHandler(category_pressed, pattern=rf"^{CATEGORY}:"))


FEATURE = Feature(
    name="categories",
    callback_prefixes=(CATEGORY,),
    register=register,
    commands=(Command("categories", ADMIN),),
)
