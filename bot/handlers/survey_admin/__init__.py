"""Staff: /survey, every periodic survey with its buttons (secretariat and admins).
「新增調查」 (a template, then the title typed), per survey 「寄送」 (categories ticked, or a
seeded sample of N typed, the recipient count shown before 「確認寄送」), 「結束」 (after a
confirmation) and 「報告」 (the report's HTML, CSV and PNG attached). Each step calls the use
case `bsmi-desk survey` calls (bot/surveys/admin.py), so both edges check, count, draw and
audit alike; every button and typed text is checked against the role, every time.

views.py    the list, a survey, the categories to tick; the prefix, the wait, edits and alerts
steps.py    the list's pages, a survey, 「新增調查」 and its title, 「結束」, 「報告」
sending.py  「寄送」: categories ticked or a sample typed, the count, 「確認寄送」
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from bot.edge import waiting
from bot.edge.access import SECRETARIAT, requires
from bot.edge.callbacks import ButtonData, answer_stale, parse
from bot.edge.context import BotApplication, BotContext
from bot.edge.features import Command, Feature
from bot.handlers.survey_admin import sending, steps
from bot.handlers.survey_admin.views import PREFIX, WAIT, list_view
from bot.surveys.admin import list_surveys
from kernel.i18n import t

Step = Callable[[Update, BotContext, ButtonData], Awaitable[None]]
STEPS: dict[str, Step] = {
    "l": steps.page,
    "v": steps.view,
    "new": steps.new,
    "tpl": steps.template_chosen,
    "c": steps.ask_close,
    "cy": steps.close,
    "r": steps.report,
    "s": sending.start,
    "t": sending.toggle,
    "m": sending.ask_sample,
    "y": sending.confirm,
    "x": sending.cancel,
}


@requires(*SECRETARIAT)
async def survey_command(update: Update, context: BotContext) -> None:
    """/survey: every survey with its response rate and buttons, a page at a time."""
    message = update.effective_message
    assert message is not None and context.person is not None
    found = await context.services.db.run(list_surveys, viewer=context.person, page=1)
    text, markup = list_view(found, context)
    await message.reply_text(text, reply_markup=markup)


@requires(*SECRETARIAT)
async def survey_admin_pressed(update: Update, context: BotContext) -> None:
    """Every /survey button (see `views.PREFIX`)."""
    query = update.callback_query
    assert query is not None
    data = parse(query.data, (PREFIX,))
    step = STEPS.get(data.verb)
    if step is None:
        await answer_stale(update, context, "survey_admin: unknown verb")
        return
    await step(update, context, data)


@requires(*SECRETARIAT)
async def survey_admin_typed(update: Update, context: BotContext) -> None:
    """A text while /survey waits: a new survey's title, or a sample's size and seed."""
    message = update.effective_message
    assert message is not None and message.text is not None
    assert context.user_data is not None
    found = waiting.read_wait(context.user_data, WAIT)
    if not isinstance(found, waiting.Wait):
        waiting.close_wait(context.user_data, WAIT)
        await message.reply_text(waiting.lapsed_text(context.lang))
        return
    template = found.payload.get("template")
    chosen = sending.Pending.read(found.payload)
    if found.payload.get("step") == "title" and isinstance(template, str):
        await steps.title_typed(update, context, template, message.text)
    elif chosen is not None and chosen.step in ("sample", "confirm"):
        await sending.sample_typed(update, context, chosen)
    else:
        sample = t(context.lang, "survey_admin.sample_button")
        await message.reply_text(t(context.lang, "survey_admin.use_buttons", sample=sample))


async def cancel(update: Update, context: BotContext) -> None:
    """/cancel while /survey waits: nothing created or sent."""
    assert update.effective_message is not None and context.user_data is not None
    waiting.close_wait(context.user_data, WAIT)
    await update.effective_message.reply_text(t(context.lang, "survey_admin.cancelled"))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("survey", survey_command))
    app.add_handler(CommandHandler("cancel", cancel, filters=waiting.waiting_for(app, WAIT)))
    app.add_handler(MessageHandler(waiting.text_for(app, WAIT), survey_admin_typed))
    app.add_handler(CallbackQueryHandler(survey_admin_pressed, pattern=rf"^{PREFIX}:"))


FEATURE = Feature(
    name="survey_admin",
    callback_prefixes=(PREFIX,),
    register=register,
    commands=(Command("survey", SECRETARIAT),),
)
