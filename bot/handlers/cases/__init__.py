"""Staff: /cases (open, overdue, mine; paged), /case NUMBER with its action buttons, /summary.

Each handler makes one domain call (one transaction, its audit row included, a refusal's too)
and sends what it returns. Every button's data is parsed strictly (known verbs, ASCII digits,
bounded, the whole of it); anything else gets the stale-button answer.

shared.py   the button prefix, a case number in button data, today, a pressed button's parts
lists.py    /cases and its pages and tabs
card.py     the case card's text and buttons, and its full text in pages
viewing.py  /case NUMBER, a case's number button, its files, its "Full text" pages
acting.py   the action buttons, a unit or category chosen, the text a pending action waits for
            (a reply to a petitioner without a chat: how it was given, then what and when)
letter.py   the reply letter of a case answered by post, as PDF and HTML documents
summary.py  /summary: a month's summary or a half-year's or year's analysis, with its files
"""

from __future__ import annotations

import re
from collections.abc import Callable

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import stale_button_handler
from bot.edge.features import Command, Feature, roles
from bot.handlers.cases import acting, letter, lists, summary, viewing
from bot.handlers.cases.shared import PREFIX
from storage.models import Role

stale_button = stale_button_handler("cases.stale")
"""A case button whose data is out of date, forged or unknown: say so, change nothing."""


def register(app: BotApplication) -> None:
    app.add_handler(acting.conversation(app))
    app.add_handler(CommandHandler("cases", lists.list_cases))
    app.add_handler(CommandHandler("case", viewing.show_case))
    app.add_handler(CommandHandler("summary", summary.summary))
    buttons: list[tuple[Callable[[Update, BotContext], object], re.Pattern[str]]] = [
        (lists.list_page, lists.LIST_DATA),
        (viewing.show_pressed, viewing.SHOW_DATA),
        (viewing.send_files, viewing.FILES_DATA),
        (viewing.full_text, viewing.MORE_DATA),
        (acting.unit_chosen, acting.UNIT_DATA),
        (acting.category_chosen, acting.CATEGORY_DATA),
        (letter.letter_pressed, letter.LETTER_DATA),
    ]
    for callback, pattern in buttons:
        app.add_handler(CallbackQueryHandler(callback, pattern=pattern))  # type: ignore[arg-type]
    # Last: any other case button is out of date, forged or unknown.
    app.add_handler(CallbackQueryHandler(stale_button, pattern=rf"^{PREFIX}:"))


STAFF_ROLES = roles(Role.INSPECTOR, Role.SECRETARIAT, Role.ADMIN)

FEATURE = Feature(
    name="cases",
    callback_prefixes=(PREFIX,),
    register=register,
    commands=(
        Command("cases", STAFF_ROLES),
        Command("case", STAFF_ROLES),
        Command("summary", roles(Role.SECRETARIAT, Role.ADMIN)),
    ),
)
