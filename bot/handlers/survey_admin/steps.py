"""The list's pages, a survey, 「新增調查」 (a template, then the title typed), 「結束」 (after a
confirmation) and 「報告」 (the files `survey report` writes, attached)."""

from __future__ import annotations

from functools import partial

from telegram import InlineKeyboardMarkup, Update

from bot.edge import waiting
from bot.edge.callbacks import ButtonData, answer_stale
from bot.edge.context import BotContext
from bot.edge.files import send_report_files
from bot.handlers.survey_admin.views import (
    PREFIX,
    WAIT,
    WAIT_MINUTES,
    alert,
    button,
    edit,
    list_view,
    show_survey,
    survey_view,
    values_of,
)
from bot.surveys.admin import (
    MAX_TITLE,
    close_survey,
    create_survey,
    list_surveys,
    read_survey_report,
    survey_row,
)
from bot.surveys.report_files import write_report
from bot.surveys.templates import TEMPLATES
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.i18n import t
from storage.models.surveys import SurveyState


async def page(update: Update, context: BotContext, data: ButtonData) -> None:
    """A page of the list."""
    assert update.callback_query is not None and context.person is not None
    found = await context.services.db.run(
        list_surveys, viewer=context.person, page=data.integer(1)
    )
    await update.callback_query.answer()
    await edit(update, list_view(found, context))


async def view(update: Update, context: BotContext, data: ButtonData) -> None:
    """One survey and what may be done to it now."""
    await show_survey(update, context, data.integer(1))


async def new(update: Update, context: BotContext, data: ButtonData) -> None:
    """「新增調查」: the templates, one button each."""
    assert update.callback_query is not None
    lang = context.lang
    lines = [
        t(
            lang,
            "survey_admin.template_line",
            name=t(lang, f"survey_admin.template.{code}"),
            about=t(lang, f"survey_admin.template_about.{code}"),
        )
        for code in TEMPLATES
    ]
    buttons = [
        [button(t(lang, f"survey_admin.template.{code}"), f"{PREFIX}:tpl:{code}")]
        for code in TEMPLATES
    ]
    buttons.append([button(t(lang, "survey_admin.list_button"), f"{PREFIX}:l:1")])
    await update.callback_query.answer()
    text = t(lang, "survey_admin.choose_template", templates="\n".join(lines))
    await edit(update, (text, InlineKeyboardMarkup(buttons)))


async def template_chosen(update: Update, context: BotContext, data: ButtonData) -> None:
    """A template chosen: the title is typed next."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    template = data.text(1)
    if template not in TEMPLATES:
        await answer_stale(update, context, "survey_admin: no such template")
        return
    payload = {"step": "title", "template": template}
    waiting.open_wait(context.user_data, WAIT, payload, minutes=WAIT_MINUTES)
    await query.answer()
    lang = context.lang
    name = t(lang, f"survey_admin.template.{template}")
    await query.edit_message_text(t(lang, "survey_admin.ask_title", template=name, most=MAX_TITLE))


async def title_typed(update: Update, context: BotContext, template: str, text: str) -> None:
    """The new survey's title: created, or why not in one sentence (the wait stays)."""
    message = update.effective_message
    assert message is not None and context.user_data is not None and context.person is not None
    try:
        survey_id = await context.services.db.run(
            create_survey,
            template=template,
            title=text,
            now=utcnow(),
            actor_telegram_id=context.person.telegram_id,
        )
    except UserError as error:
        await message.reply_text(t(context.lang, error.key, **error.values))
        return
    waiting.close_wait(context.user_data, WAIT)
    row = await context.services.db.run(survey_row, viewer=context.person, survey_id=survey_id)
    note = t(context.lang, "survey_admin.created", id=survey_id)
    text_out, markup = survey_view(row, context, note=note)
    await message.reply_text(text_out, reply_markup=markup)


async def ask_close(update: Update, context: BotContext, data: ButtonData) -> None:
    """「結束」: are you sure? — with the answers so far."""
    query = update.callback_query
    assert query is not None and context.person is not None
    try:
        row = await context.services.db.run(
            survey_row, viewer=context.person, survey_id=data.integer(1)
        )
    except UserError as error:
        await alert(update, context, error)
        return
    lang = context.lang
    if row.state is SurveyState.CLOSED:
        await query.answer(t(lang, "survey_admin.already_closed", id=row.id), show_alert=True)
        return
    await query.answer()
    buttons = [
        [
            button(t(lang, "survey_admin.close_yes_button"), f"{PREFIX}:cy:{row.id}"),
            button(t(lang, "survey_admin.back_button"), f"{PREFIX}:v:{row.id}"),
        ]
    ]
    text = t(lang, "survey_admin.close_confirm", **values_of(row, context))
    await edit(update, (text, InlineKeyboardMarkup(buttons)))


async def close(update: Update, context: BotContext, data: ButtonData) -> None:
    """「確定結束」: no answers are taken after this; a second press says it was closed."""
    query = update.callback_query
    assert query is not None and context.person is not None
    survey_id = data.integer(1)
    try:
        closed = await context.services.db.run(
            close_survey,
            survey_id=survey_id,
            now=utcnow(),
            actor_telegram_id=context.person.telegram_id,
        )
    except UserError as error:
        await alert(update, context, error)
        return
    lang = context.lang
    if not closed:
        await query.answer(t(lang, "survey_admin.already_closed", id=survey_id), show_alert=True)
        return
    note = t(lang, "survey_admin.closed", id=survey_id)
    await show_survey(update, context, survey_id, note=note)


async def report(update: Update, context: BotContext, data: ButtonData) -> None:
    """「報告」: the files `survey report` writes, attached."""
    query = update.callback_query
    assert query is not None and context.person is not None
    assert update.effective_chat is not None
    lang = context.lang
    try:
        report = await context.services.db.run(
            read_survey_report,
            survey_id=data.integer(1),
            language=lang,
            threshold=context.services.settings.survey_finding_threshold,
            actor_telegram_id=context.person.telegram_id,
        )
    except UserError as error:
        await alert(update, context, error)
        return
    await query.answer()
    title = report.subject or ""
    await send_report_files(
        context.bot,
        update.effective_chat.id,
        partial(write_report, report),
        prefix="bsmi-survey-",
        text=t(lang, "survey_admin.report_sent", id=data.integer(1), title=title),
    )
