"""A petitioner answers a request for information: the 'Answer' button under the request,
then the text it waits for (or /cancel); recorded, the clock resumes, the unit is told."""

from __future__ import annotations

import re
import warnings

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.cases.actions import Action
from bot.cases.filing import NUMBER_PATTERN
from bot.cases.lifecycle import act, check_info_request
from bot.edge import waiting
from bot.edge.case_news import REPORTER_INFO
from bot.edge.contact import signed
from bot.edge.context import BotContext
from bot.edge.conversations import cancel_handler
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.i18n import t

INFO_DATA = re.compile(rf"^{REPORTER_INFO}:({NUMBER_PATTERN})$")
INFO_TEXT = 20
INFO_FOR = "report_info_for"
"""The wait for a reporter's answer: payload {"number": case number}."""
INFO_MINUTES = 60
"""A reporter's 'Answer' waits this long for the text, so a later unrelated message is not
passed to the unit as information."""


_cancel_info = cancel_handler(INFO_FOR, "report.cancelled", remove_reply_keyboard=True)


async def cancel_info(update: Update, context: BotContext) -> int:
    """/cancel while an answer to a request for information waits; nothing is passed on."""
    return await _cancel_info(update, context)


async def info_start(update: Update, context: BotContext) -> int:
    """The reporter pressed 'answer' under a request for information."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    await query.answer()
    assert update.effective_chat is not None and context.person is not None
    match = INFO_DATA.fullmatch(query.data)
    assert match is not None  # the handler's own pattern
    try:
        number = await context.services.db.run(
            check_info_request, number=match.group(1), reporter=context.person
        )
    except UserError as exc:
        context.user_data.pop(INFO_FOR, None)
        await context.bot.send_message(
            update.effective_chat.id, t(context.lang, exc.key, **exc.values)
        )
        return ConversationHandler.END
    waiting.open_wait(context.user_data, INFO_FOR, {"number": number}, minutes=INFO_MINUTES)
    await context.bot.send_message(
        update.effective_chat.id,
        t(context.lang, "report.info_prompt", number=number, minutes=INFO_MINUTES),
    )
    return INFO_TEXT


async def info_text(update: Update, context: BotContext) -> int:
    """The reporter's additional information: recorded, the clock resumes, the unit is told."""
    message = update.effective_message
    assert message is not None and message.text is not None and context.user_data is not None
    found = waiting.close_wait(context.user_data, INFO_FOR)
    number = found.payload.get("number") if found is not None and found.payload else None
    if not isinstance(number, str):  # nothing waited, or not readable
        await message.reply_text(waiting.lapsed_text(context.lang))
        return ConversationHandler.END
    if isinstance(found, waiting.Lapsed):
        button = t(context.lang, "cases.notify.answer_button")
        await message.reply_text(
            t(
                context.lang,
                "report.info_lapsed",
                number=number,
                minutes=INFO_MINUTES,
                button=button,
            )
        )
        return ConversationHandler.END
    try:
        outcome = await context.services.db.run(
            act,
            number=number,
            action=Action.INFO,
            actor=context.person,
            today=utcnow().astimezone(context.services.tz).date(),
            counting=context.services.settings.case_day_counting,
            text=message.text,
        )
    except UserError as exc:
        await message.reply_text(t(context.lang, exc.key, **exc.values))
        return ConversationHandler.END
    thanks = t(context.lang, "report.info_thanks", number=outcome.number)
    await message.reply_text(signed(thanks, context.services.settings, context.lang))
    return ConversationHandler.END


def conversation() -> ConversationHandler[BotContext]:
    """The 'Answer' button, then the text (or /cancel); kept across restarts."""
    with warnings.catch_warnings():
        # The button is on the request's own message; per-chat tracking is intended.
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=[CallbackQueryHandler(info_start, pattern=INFO_DATA)],
            states={INFO_TEXT: [MessageHandler(filters.TEXT & ~filters.COMMAND, info_text)]},
            fallbacks=[CommandHandler("cancel", cancel_info)],
            name="report_info",
            persistent=True,
            allow_reentry=True,
        )
