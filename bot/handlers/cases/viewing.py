"""/case NUMBER and the buttons that show a case: its number under /cases, its files, its full
text page by page."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.cases.actions import Refused
from bot.cases.details import CaseDetails, case_files, full_case, view_case
from bot.cases.filing import parse_case_number
from bot.edge.access import STAFF, requires
from bot.edge.context import BotContext
from bot.edge.conversations import unchanged_is_fine
from bot.handlers.cases.card import details_keyboard, details_text, full_pages
from bot.handlers.cases.shared import NUMBER, PREFIX, pressed
from kernel.errors import UserError
from kernel.i18n import t

SHOW_DATA = re.compile(rf"^{PREFIX}:show:{NUMBER}$")
FILES_DATA = re.compile(rf"^{PREFIX}:files:{NUMBER}$")
MORE_DATA = re.compile(rf"^{PREFIX}:more:{NUMBER}:([0-9]{{1,3}})$")


async def show_details(
    update: Update,
    context: BotContext,
    details: CaseDetails | UserError,
    *,
    edit: bool,
) -> None:
    """The case view (or the refusal in its place), as a new message or in the pressed one."""
    lang = context.lang
    if isinstance(details, UserError):
        text, markup = t(lang, details.key, **details.values), None
    else:
        text, more = details_text(details, lang, context.services.tz)
        markup = details_keyboard(details, lang, more=more)
    if edit and update.callback_query is not None:
        with unchanged_is_fine():
            await update.callback_query.edit_message_text(text, reply_markup=markup)
    else:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def _show(update: Update, context: BotContext, number: str) -> None:
    """Read the case for this person (audited when it shows the reporter) and send it."""
    assert context.person is not None
    details: CaseDetails | UserError
    try:
        found = await context.services.db.run(view_case, number=number, viewer=context.person)
    except UserError as exc:
        found = Refused(exc)
    details = found.error if isinstance(found, Refused) else found
    await show_details(update, context, details, edit=False)


@requires(*STAFF)
async def show_case(update: Update, context: BotContext) -> None:
    """/case NUMBER: details and the actions this person may take."""
    assert update.effective_message is not None
    if not context.args:
        await update.effective_message.reply_text(t(context.lang, "cases.usage"))
        return
    try:
        number = parse_case_number(context.args[0])
    except UserError as exc:
        await update.effective_message.reply_text(t(context.lang, exc.key, **exc.values))
        return
    await _show(update, context, number)


@requires(*STAFF)
async def show_pressed(update: Update, context: BotContext) -> None:
    """A case number button under /cases."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    (number,) = pressed(update, SHOW_DATA)
    await _show(update, context, number)


@requires(*STAFF)
async def send_files(update: Update, context: BotContext) -> None:
    """Send the reporter's photos and documents (kept as Telegram file ids)."""
    query = update.callback_query
    assert query is not None and context.person is not None
    await query.answer()
    assert update.effective_chat is not None
    (number,) = pressed(update, FILES_DATA)
    try:
        files = await context.services.db.run(case_files, number=number, viewer=context.person)
    except UserError as exc:  # no such case
        files = Refused(exc)
    if isinstance(files, Refused):  # a stale button: the case moved to another unit
        error = files.error
        await context.bot.send_message(
            update.effective_chat.id, t(context.lang, error.key, **error.values)
        )
        return
    for attachment in files:
        if attachment.kind == "photo":
            await context.bot.send_photo(update.effective_chat.id, attachment.file_id)
        else:
            await context.bot.send_document(update.effective_chat.id, attachment.file_id)


@requires(*STAFF)
async def full_text(update: Update, context: BotContext) -> None:
    """A "Full text" (or next page) button under a case: one page of its whole text."""
    query = update.callback_query
    assert query is not None and context.person is not None
    await query.answer()
    assert update.effective_chat is not None
    number, page = pressed(update, MORE_DATA)
    lang = context.lang
    try:
        found = await context.services.db.run(full_case, number=number, viewer=context.person)
    except UserError as exc:
        found = Refused(exc)
    if isinstance(found, Refused):
        error = found.error
        await context.bot.send_message(
            update.effective_chat.id, t(lang, error.key, **error.values)
        )
        return
    pages = full_pages(found, lang, context.services.tz)
    index = min(int(page), len(pages) - 1)
    markup = None
    if index + 1 < len(pages):
        label = t(lang, "cases.buttons.more_page", page=index + 2, pages=len(pages))
        data = f"{PREFIX}:more:{found.case.number}:{index + 1}"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]])
    title = t(lang, "cases.full_title", number=found.case.number, page=index + 1, pages=len(pages))
    await context.bot.send_message(
        update.effective_chat.id, f"{title}\n{pages[index]}", reply_markup=markup
    )
