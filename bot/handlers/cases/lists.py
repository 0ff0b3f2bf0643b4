"""/cases: open, overdue or my unit's cases, a page at a time, with tabs and ◀ ▶."""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.cases import listing
from bot.cases.listing import LISTS
from bot.edge.access import STAFF, requires
from bot.edge.contact import public_day
from bot.edge.context import BotContext
from bot.edge.conversations import unchanged_is_fine
from bot.handlers.cases.shared import PREFIX, local_today, pressed
from kernel.i18n import Markup, t

PAGE = 10
MAX_OFFSET = 999_999
LIST_DATA = re.compile(rf"^{PREFIX}:list:({'|'.join(LISTS)}):([0-9]{{1,6}})$")


async def _list_view(
    context: BotContext, which: str, offset: int
) -> tuple[str, InlineKeyboardMarkup]:
    assert context.person is not None
    lang = context.lang
    page = await context.services.db.run(
        listing.list_cases,
        viewer=context.person,
        which=which,
        today=local_today(context),
        offset=offset,
        limit=PAGE,
    )
    header = t(lang, f"cases.list.{which}", total=page.total)
    if not page.cases:
        lines = [header, t(lang, "cases.list.empty")]
    else:
        lines = [header]
        for listed in page.cases:
            c, late = listed.case, listed.days_late
            lines.append(
                t(
                    lang,
                    "cases.list.line",
                    number=c.number,
                    kind=t(lang, f"cases.kinds.{c.kind}"),
                    state=t(lang, f"cases.states.{c.state}"),
                    due=public_day(c.due_on, lang),
                    late=Markup(
                        (t(lang, "cases.list.late", days=late) if late > 0 else "")
                        + (t(lang, "cases.proof.list_flag") if listed.reply_undelivered else "")
                    ),
                )
            )
        if any(listed.reply_undelivered for listed in page.cases):
            lines.append(t(lang, "cases.proof.list_note"))
    numbers = [listed.case.number for listed in page.cases]
    rows = [
        [
            InlineKeyboardButton(number, callback_data=f"{PREFIX}:show:{number}")
            for number in numbers[i : i + 2]
        ]
        for i in range(0, len(numbers), 2)
    ]
    paging = []
    if offset > 0:
        paging.append(
            InlineKeyboardButton(
                "◀", callback_data=f"{PREFIX}:list:{which}:{max(0, offset - PAGE)}"
            )
        )
    if offset + PAGE < page.total:
        paging.append(
            InlineKeyboardButton("▶", callback_data=f"{PREFIX}:list:{which}:{offset + PAGE}")
        )
    if paging:
        rows.append(paging)
    rows.append(
        [
            InlineKeyboardButton(
                ("• " if w == which else "") + t(lang, f"cases.list.tab_{w}"),
                callback_data=f"{PREFIX}:list:{w}:0",
            )
            for w in LISTS
        ]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


@requires(*STAFF)
async def list_cases(update: Update, context: BotContext) -> None:
    """/cases [open|overdue|mine]: a page of cases."""
    assert update.effective_message is not None
    which = (context.args[0].lower() if context.args else "open").strip()
    if which not in LISTS:
        await update.effective_message.reply_text(t(context.lang, "cases.list.usage"))
        return
    text, markup = await _list_view(context, which, 0)
    await update.effective_message.reply_text(text, reply_markup=markup)


@requires(*STAFF)
async def list_page(update: Update, context: BotContext) -> None:
    """A paging or tab button under /cases."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    which, offset = pressed(update, LIST_DATA)
    text, markup = await _list_view(context, which, min(int(offset), MAX_OFFSET))
    with unchanged_is_fine():
        await query.edit_message_text(text, reply_markup=markup)
