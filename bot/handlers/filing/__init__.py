"""Petitioners: /report (file a product report, service complaint or monitor report), /status
(their cases), and answering a request for information. Every conversation survives a restart;
button data is parsed strictly, anything else is a stale button.

shared.py        the button prefix of all three (`rep:`, as old messages' buttons carry it)
conversation.py  /report, step by step, with /skip and /cancel
status.py        /status and its pages
information.py   the 'Answer' button under a request for information and the text it waits for
"""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.edge.context import BotApplication
from bot.edge.conversations import stale_button_handler
from bot.edge.features import Command, Feature
from bot.handlers.filing import conversation, information, status
from bot.handlers.filing.shared import PREFIX

unknown_button = stale_button_handler("report.stale_button")
"""A report button whose data is forged or unknown: say it does nothing."""


def register(app: BotApplication) -> None:
    app.add_handler(conversation.conversation())
    app.add_handler(information.conversation())
    app.add_handler(
        CallbackQueryHandler(conversation.stale_button, pattern=conversation.STEP_BUTTONS)
    )
    app.add_handler(CallbackQueryHandler(status.status_page, pattern=status.STATUS_DATA))
    # Last: any other report button is forged or unknown.
    app.add_handler(CallbackQueryHandler(unknown_button, pattern=rf"^{PREFIX}:"))
    app.add_handler(CommandHandler("status", status.status))


FEATURE = Feature(
    name="filing",
    callback_prefixes=(PREFIX,),
    register=register,
    commands=(Command("report"), Command("status")),
)
