"""What /survey shows: the list, a survey, the categories to tick; the button prefix and the
wait's key the steps share, and the edits and one-sentence answers every step makes."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.edge.context import BotContext
from bot.edge.conversations import unchanged_is_fine
from bot.surveys.admin import SendChoice, SurveyPage, SurveyRow, survey_row
from kernel.errors import UserError
from kernel.i18n import t
from kernel.reporting import format_stamp, plain
from storage.models.surveys import SurveyState

PREFIX = "sva"
"""sva:l:<page> a page of the list, sva:v:<id> a survey, sva:new then sva:tpl:<template>,
sva:s:<id> starts a send; sva:t:<token>:<category id> ticks, sva:m:<token> asks for a sample,
sva:y:<token> sends, sva:x:<token> cancels; sva:c:<id> asks, sva:cy:<id> closes; sva:r:<id>
the report."""
WAIT = "survey_admin"
"""The wait's key: payload {"step": "title", "template"} for a new survey's title;
{"step": "pick" or "sample" or "confirm", "survey", "codes", "token", "sample", "seed"} for a
send."""
WAIT_MINUTES = 60
BUTTON_TITLE = 40
"""A survey's title on its list button is cut to this many characters."""

View = tuple[str, InlineKeyboardMarkup]


def button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def stamp(moment: datetime | None, context: BotContext) -> str:
    assert moment is not None
    lang = context.lang
    return format_stamp(moment.astimezone(context.services.tz), lang, roc=lang == "zh-TW")


def values_of(row: SurveyRow, context: BotContext) -> dict[str, object]:
    """A survey's placeholders (`t` escapes the title for Telegram's HTML)."""
    lang = context.lang
    sent = (
        t(lang, "survey_admin.sent_on", day=stamp(row.sent_at, context))
        if row.sent_at
        else t(lang, "survey_admin.not_sent")
    )
    return {
        "id": row.id,
        "title": row.title,
        "state": t(lang, f"survey_admin.state.{row.state.value}"),
        "sent": sent,
        "invited": row.invited,
        "responded": row.responded,
        "finished": row.finished,
        "rate": f"{row.rate_pct:.1f}",
    }


def list_view(page: SurveyPage, context: BotContext) -> View:
    """A page of surveys, a button for each, the pages around it and 「新增調查」."""
    lang = context.lang
    new = t(lang, "survey_admin.new_button")
    if not page.rows:
        lines = [t(lang, "survey_admin.none", new=new)]
    else:
        lines = [t(lang, "survey_admin.header", page=page.page, pages=page.pages)]
        lines += [t(lang, "survey_admin.row", **values_of(row, context)) for row in page.rows]
    buttons = []
    for row in page.rows:
        label = plain(
            lang, "survey_admin.survey_button", id=row.id, title=row.title[:BUTTON_TITLE]
        )
        buttons.append([button(label, f"{PREFIX}:v:{row.id}")])
    paging = []
    if page.page > 1:
        previous = t(lang, "survey_admin.previous_button")
        paging.append(button(previous, f"{PREFIX}:l:{page.page - 1}"))
    if page.page < page.pages:
        following = t(lang, "survey_admin.next_button")
        paging.append(button(following, f"{PREFIX}:l:{page.page + 1}"))
    if paging:
        buttons.append(paging)
    buttons.append([button(new, f"{PREFIX}:new")])
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


def survey_view(row: SurveyRow, context: BotContext, *, note: str | None = None) -> View:
    """One survey with what may be done to it now: a draft is sent or closed, an open survey
    closed or reported, a closed one reported."""
    lang = context.lang
    values = values_of(row, context)
    closed = (
        t(lang, "survey_admin.closed_on", day=stamp(row.closed_at, context))
        if row.closed_at
        else ""
    )
    template = t(lang, f"survey_admin.template.{row.template}")
    text = t(lang, "survey_admin.view", **values, template=template, closed=closed)
    actions = []
    if row.state is SurveyState.DRAFT:
        actions.append(button(t(lang, "survey_admin.send_button"), f"{PREFIX}:s:{row.id}"))
    if row.state is not SurveyState.CLOSED:
        actions.append(button(t(lang, "survey_admin.close_button"), f"{PREFIX}:c:{row.id}"))
    if row.state is not SurveyState.DRAFT:
        actions.append(button(t(lang, "survey_admin.report_button"), f"{PREFIX}:r:{row.id}"))
    back = [button(t(lang, "survey_admin.list_button"), f"{PREFIX}:l:1")]
    return ("\n\n".join([note, text]) if note else text), InlineKeyboardMarkup([actions, back])


def categories_text(choice: SendChoice, lang: str) -> str:
    names = [c.name for c in choice.categories if c.code in choice.codes]
    joined = ("、" if lang == "zh-TW" else ", ").join(names)
    return joined or t(lang, "survey_admin.all_categories")


def choice_values(choice: SendChoice, lang: str) -> dict[str, object]:
    """A send choice's placeholders: the survey, the categories, whom it reaches."""
    return {
        "id": choice.survey_id,
        "title": choice.title,
        "chosen": categories_text(choice, lang),
        "subscribers": choice.subscribers,
        "recipients": choice.recipients,
    }


def confirm_row(token: str, lang: str) -> list[InlineKeyboardButton]:
    return [
        button(t(lang, "survey_admin.confirm_button"), f"{PREFIX}:y:{token}"),
        button(t(lang, "survey_admin.cancel_button"), f"{PREFIX}:x:{token}"),
    ]


def pick_view(choice: SendChoice, token: str, lang: str) -> View:
    """The categories to tick (✅ ticked), the recipient count, 「抽樣」 and 「確認寄送」."""
    toggles = [
        button(("✅ " if c.code in choice.codes else "⬜ ") + c.name, f"{PREFIX}:t:{token}:{c.id}")
        for c in choice.categories
    ]
    rows = [toggles[i : i + 2] for i in range(0, len(toggles), 2)]
    rows.append([button(t(lang, "survey_admin.sample_button"), f"{PREFIX}:m:{token}")])
    rows.append(confirm_row(token, lang))
    sample = t(lang, "survey_admin.sample_button")
    text = t(lang, "survey_admin.pick", **choice_values(choice, lang), sample=sample)
    return text, InlineKeyboardMarkup(rows)


async def alert(update: Update, context: BotContext, error: UserError) -> None:
    """A refused step in one sentence, as the press's answer; nothing changed."""
    assert update.callback_query is not None
    await update.callback_query.answer(t(context.lang, error.key, **error.values), show_alert=True)


async def edit(update: Update, view: View) -> None:
    query = update.callback_query
    assert query is not None
    with unchanged_is_fine():
        await query.edit_message_text(view[0], reply_markup=view[1])


async def show_survey(
    update: Update, context: BotContext, survey_id: int, *, note: str | None = None
) -> None:
    """Edit the pressed message into the survey's view (answering the press)."""
    assert update.callback_query is not None and context.person is not None
    try:
        row = await context.services.db.run(survey_row, viewer=context.person, survey_id=survey_id)
    except UserError as error:
        await alert(update, context, error)
        return
    await update.callback_query.answer()
    await edit(update, survey_view(row, context, note=note))
