"""/status: the petitioner's cases, newest first, in everyday words with the planned reply
date, a page at a time."""

from __future__ import annotations

import contextlib
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot.cases.listing import reporter_page
from bot.edge.contact import public_day
from bot.edge.context import BotContext
from bot.handlers.filing.shared import PREFIX
from kernel.i18n import t

STATUS_PAGE = 10
STATUS_DATA = re.compile(rf"^{PREFIX}:status:([0-9]{{1,4}})$")


async def _status_view(
    context: BotContext, offset: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the reporter's cases, with ◀ ▶ when there are more."""
    assert context.person is not None
    lang = context.lang
    page = await context.services.db.run(
        reporter_page, reporter=context.person, offset=offset, limit=STATUS_PAGE
    )
    if not page.cases:
        return t(lang, "status.none"), None
    if page.total > STATUS_PAGE:
        last = offset + len(page.cases)
        header = t(lang, "status.header_paged", first=offset + 1, last=last, total=page.total)
    else:
        header = t(lang, "status.header")
    lines = [header]
    for c in page.cases:
        state = t(lang, f"status.states.{c.state}")
        if c.closure:
            closure = t(lang, f"status.closure.{c.closure}")
            state = t(lang, "status.state_closed", state=state, closure=closure)
        lines.append(
            t(
                lang,
                "status.line",
                number=c.number,
                kind=t(lang, f"cases.kinds.{c.kind}"),
                subject=c.subject[:40],
                state=state,
                due=public_day(c.due_on, lang),
            )
        )
    paging = []
    if offset > 0:
        back = max(0, offset - STATUS_PAGE)
        paging.append(InlineKeyboardButton("◀", callback_data=f"{PREFIX}:status:{back}"))
    if offset + STATUS_PAGE < page.total:
        ahead = offset + STATUS_PAGE
        paging.append(InlineKeyboardButton("▶", callback_data=f"{PREFIX}:status:{ahead}"))
    return "\n".join(lines), InlineKeyboardMarkup([paging]) if paging else None


async def status(update: Update, context: BotContext) -> None:
    """The reporter's cases with state and deadline, newest first, paged."""
    assert update.effective_message is not None and context.person is not None
    text, markup = await _status_view(context, 0)
    await update.effective_message.reply_text(text, reply_markup=markup)


async def status_page(update: Update, context: BotContext) -> None:
    """◀ or ▶ under /status."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.person is not None
    await query.answer()
    match = STATUS_DATA.fullmatch(query.data)
    assert match is not None  # the handler's own pattern
    text, markup = await _status_view(context, int(match.group(1)))
    with contextlib.suppress(BadRequest):  # the same page again: "message is not modified"
        await query.edit_message_text(text, reply_markup=markup)
