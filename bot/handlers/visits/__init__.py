"""Staff: visits to firms and the needs they raise.

shared.py  button prefixes, who acts, how much of a need a message quotes
visit.py   /visit: a visit step by step, its preview, saving it
needs.py   /needs: the open needs, 「回覆」 and 「發公告」
"""

from __future__ import annotations

import warnings

from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.edge.access import STAFF
from bot.edge.context import BotApplication
from bot.edge.features import Command, Feature
from bot.handlers.visits.needs import (
    ANSWER,
    BODY,
    SEND,
    TITLE,
    need_answer_start,
    need_answer_text,
    need_notice_body,
    need_notice_send,
    need_notice_start,
    need_notice_title,
    needs_cancel,
    needs_list,
    needs_page,
    visits_stale,
)
from bot.handlers.visits.shared import NEEDS, VISIT
from bot.handlers.visits.visit import (
    CONFIRM,
    DAY,
    FIRM,
    KIND,
    NEED_TEXTS,
    TAX_ID,
    UNIT,
    prompt_again,
    visit_cancel,
    visit_confirm,
    visit_day,
    visit_done,
    visit_firm,
    visit_kind,
    visit_need,
    visit_no_firm,
    visit_start,
    visit_tax_id,
    visit_today,
    visit_unit,
)

UNIT_BUTTON = rf"^{VISIT}:u:[a-z0-9_-]{{1,32}}$"


def register(app: BotApplication) -> None:
    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # Buttons are tracked per chat and user on purpose: one draft per staff member.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        visit = ConversationHandler(
            entry_points=[CommandHandler("visit", visit_start)],
            states={
                DAY: [MessageHandler(text, visit_day), CommandHandler("skip", visit_today)],
                UNIT: [CallbackQueryHandler(visit_unit, pattern=UNIT_BUTTON)],
                TAX_ID: [MessageHandler(text, visit_tax_id)],
                FIRM: [MessageHandler(text, visit_firm), CommandHandler("skip", visit_no_firm)],
                KIND: [CallbackQueryHandler(visit_kind, pattern=rf"^{VISIT}:k:(care|factory)$")],
                NEED_TEXTS: [MessageHandler(text, visit_need), CommandHandler("done", visit_done)],
                CONFIRM: [CallbackQueryHandler(visit_confirm, pattern=rf"^{VISIT}:save$")],
            },
            fallbacks=[
                CommandHandler("cancel", visit_cancel),
                CallbackQueryHandler(visit_cancel, pattern=rf"^{VISIT}:cancel$"),
                MessageHandler(filters.ALL & ~filters.COMMAND, prompt_again),
            ],
            name="visit",
            allow_reentry=True,
        )
        needs = ConversationHandler(
            entry_points=[
                CallbackQueryHandler(need_answer_start, pattern=rf"^{NEEDS}:a:[0-9]{{1,12}}$"),
                CallbackQueryHandler(need_notice_start, pattern=rf"^{NEEDS}:n:[0-9]{{1,12}}$"),
            ],
            states={
                ANSWER: [MessageHandler(text, need_answer_text)],
                TITLE: [MessageHandler(text, need_notice_title)],
                BODY: [MessageHandler(text, need_notice_body)],
                SEND: [CallbackQueryHandler(need_notice_send, pattern=rf"^{NEEDS}:send$")],
            },
            fallbacks=[
                CommandHandler("cancel", needs_cancel),
                CallbackQueryHandler(needs_cancel, pattern=rf"^{NEEDS}:cancel$"),
                MessageHandler(filters.ALL & ~filters.COMMAND, prompt_again),
            ],
            name="needs",
            allow_reentry=True,
        )
    app.add_handler(visit)
    app.add_handler(needs)
    app.add_handler(CommandHandler("needs", needs_list))
    app.add_handler(CallbackQueryHandler(needs_page, pattern=rf"^{NEEDS}:p:[0-9]{{1,4}}$"))
    app.add_handler(CallbackQueryHandler(visits_stale, pattern=rf"^{VISIT}:"))
    app.add_handler(CallbackQueryHandler(visits_stale, pattern=rf"^{NEEDS}:"))


FEATURE = Feature(
    name="visits",
    callback_prefixes=(VISIT, NEEDS),
    register=register,
    commands=(Command("visit", STAFF), Command("needs", STAFF)),
)
