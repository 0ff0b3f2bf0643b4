"""Staff: /survey, every periodic survey with its buttons (secretariat and admins).
「新增調查」 (a template, then the title typed), per survey 「寄送」 (categories ticked, or a
seeded sample of N typed, the recipient count shown before 「確認寄送」), 「結束」 (after a
confirmation) and 「報告」 (the report's HTML, CSV and PNG attached). Each step calls the use
case `bsmi-desk survey` calls (bot/surveys/admin.py), so both edges check, count, draw and
audit alike.

The send choice lives in the wait's payload (bot/edge/waiting.py), not in the buttons: the
ticked categories are kept as their codes, so any number of them fits (button data has 64
bytes), and every change draws a new token that the message's buttons carry, so a button of an
earlier message, of a cancelled or sent choice, or of another person is stale.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from bot.edge import waiting
from bot.edge.access import SECRETARIAT, requires
from bot.edge.callbacks import ButtonData, answer_stale, parse
from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import unchanged_is_fine
from bot.edge.features import Command, Feature
from bot.edge.files import send_report_files
from bot.surveys.admin import (
    MAX_TITLE,
    SendChoice,
    SurveyPage,
    SurveyRow,
    close_survey,
    create_survey,
    list_surveys,
    read_survey_report,
    send_choice,
    send_survey,
    survey_row,
)
from bot.surveys.report_files import write_report
from bot.surveys.templates import TEMPLATES
from kernel.clock import utcnow
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
SAMPLE_MOST = 100_000
SEED_MOST = 2**31 - 1
SAMPLE = re.compile(r"\s*(\d{1,6})(?:\s+(?:seed\s*[=:＝：]\s*)?(\d{1,10}))?\s*", re.IGNORECASE)
"""「5」, 「5 seed=42」 or 「5 42」."""
BUTTON_TITLE = 40
"""A survey's title on its list button is cut to this many characters."""

View = tuple[str, InlineKeyboardMarkup]


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def _stamp(moment: datetime | None, context: BotContext) -> str:
    assert moment is not None
    lang = context.lang
    return format_stamp(moment.astimezone(context.services.tz), lang, roc=lang == "zh-TW")


def _values(row: SurveyRow, context: BotContext) -> dict[str, object]:
    """A survey's placeholders (`t` escapes the title for Telegram's HTML)."""
    lang = context.lang
    sent = (
        t(lang, "survey_admin.sent_on", day=_stamp(row.sent_at, context))
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
        lines += [t(lang, "survey_admin.row", **_values(row, context)) for row in page.rows]
    buttons = []
    for row in page.rows:
        label = plain(
            lang, "survey_admin.survey_button", id=row.id, title=row.title[:BUTTON_TITLE]
        )
        buttons.append([_button(label, f"{PREFIX}:v:{row.id}")])
    paging = []
    if page.page > 1:
        previous = t(lang, "survey_admin.previous_button")
        paging.append(_button(previous, f"{PREFIX}:l:{page.page - 1}"))
    if page.page < page.pages:
        following = t(lang, "survey_admin.next_button")
        paging.append(_button(following, f"{PREFIX}:l:{page.page + 1}"))
    if paging:
        buttons.append(paging)
    buttons.append([_button(new, f"{PREFIX}:new")])
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


def survey_view(row: SurveyRow, context: BotContext, *, note: str | None = None) -> View:
    """One survey with what may be done to it now: a draft is sent or closed, an open survey
    closed or reported, a closed one reported."""
    lang = context.lang
    values = _values(row, context)
    closed = (
        t(lang, "survey_admin.closed_on", day=_stamp(row.closed_at, context))
        if row.closed_at
        else ""
    )
    template = t(lang, f"survey_admin.template.{row.template}")
    text = t(lang, "survey_admin.view", **values, template=template, closed=closed)
    actions = []
    if row.state is SurveyState.DRAFT:
        actions.append(_button(t(lang, "survey_admin.send_button"), f"{PREFIX}:s:{row.id}"))
    if row.state is not SurveyState.CLOSED:
        actions.append(_button(t(lang, "survey_admin.close_button"), f"{PREFIX}:c:{row.id}"))
    if row.state is not SurveyState.DRAFT:
        actions.append(_button(t(lang, "survey_admin.report_button"), f"{PREFIX}:r:{row.id}"))
    back = [_button(t(lang, "survey_admin.list_button"), f"{PREFIX}:l:1")]
    return ("\n\n".join([note, text]) if note else text), InlineKeyboardMarkup([actions, back])


def _chosen(choice: SendChoice, lang: str) -> str:
    names = [c.name for c in choice.categories if c.code in choice.codes]
    joined = ("、" if lang == "zh-TW" else ", ").join(names)
    return joined or t(lang, "survey_admin.all_categories")


def _confirm_row(token: str, lang: str) -> list[InlineKeyboardButton]:
    return [
        _button(t(lang, "survey_admin.confirm_button"), f"{PREFIX}:y:{token}"),
        _button(t(lang, "survey_admin.cancel_button"), f"{PREFIX}:x:{token}"),
    ]


def pick_view(choice: SendChoice, token: str, lang: str) -> View:
    """The categories to tick (✅ ticked), the recipient count, 「抽樣」 and 「確認寄送」."""
    toggles = [
        _button(
            ("✅ " if c.code in choice.codes else "⬜ ") + c.name, f"{PREFIX}:t:{token}:{c.id}"
        )
        for c in choice.categories
    ]
    rows = [toggles[i : i + 2] for i in range(0, len(toggles), 2)]
    rows.append([_button(t(lang, "survey_admin.sample_button"), f"{PREFIX}:m:{token}")])
    rows.append(_confirm_row(token, lang))
    text = t(
        lang,
        "survey_admin.pick",
        id=choice.survey_id,
        title=choice.title,
        sample=t(lang, "survey_admin.sample_button"),
        chosen=_chosen(choice, lang),
        recipients=choice.recipients,
    )
    return text, InlineKeyboardMarkup(rows)


def parse_sample(text: str) -> tuple[int, int | None] | None:
    """「5 seed=42」 as (5, 42), 「5」 as (5, None); None when it is neither or out of range."""
    found = SAMPLE.fullmatch(text)
    if found is None:
        return None
    sample = int(found.group(1))
    seed = int(found.group(2)) if found.group(2) else None
    if not 1 <= sample <= SAMPLE_MOST or (seed is not None and seed > SEED_MOST):
        return None
    return sample, seed


def _codes(payload: waiting.Payload) -> list[str]:
    return [c for c in str(payload.get("codes") or "").split(",") if c]


def _number(payload: waiting.Payload, key: str) -> int | None:
    value = payload.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _open_send(context: BotContext, choice: SendChoice, step: str, **more: int) -> str:
    """Keep the send choice in the wait under a new token; the token."""
    assert context.user_data is not None
    token = secrets.token_hex(4)
    payload: dict[str, waiting.Value] = {
        "step": step,
        "survey": choice.survey_id,
        "codes": ",".join(choice.codes),
        "token": token,
        **more,
    }
    waiting.open_wait(context.user_data, WAIT, payload, minutes=WAIT_MINUTES)
    return token


def _send_of(context: BotContext, token: str) -> waiting.Payload | None:
    """The open send choice whose token the pressed button carries, or None (stale)."""
    assert context.user_data is not None
    found = waiting.read_wait(context.user_data, WAIT)
    if not isinstance(found, waiting.Wait) or found.payload.get("token") != token:
        return None
    if _number(found.payload, "survey") is None:
        return None
    return found.payload


async def _alert(update: Update, context: BotContext, error: UserError) -> None:
    """A refused step in one sentence, as the press's answer; nothing changed."""
    assert update.callback_query is not None
    await update.callback_query.answer(t(context.lang, error.key, **error.values), show_alert=True)


async def _edit(update: Update, view: View) -> None:
    query = update.callback_query
    assert query is not None
    with unchanged_is_fine():
        await query.edit_message_text(view[0], reply_markup=view[1])


async def _show_survey(
    update: Update, context: BotContext, survey_id: int, *, note: str | None = None
) -> None:
    """Edit the pressed message into the survey's view (answering the press)."""
    assert update.callback_query is not None and context.person is not None
    try:
        row = await context.services.db.run(survey_row, viewer=context.person, survey_id=survey_id)
    except UserError as error:
        await _alert(update, context, error)
        return
    await update.callback_query.answer()
    await _edit(update, survey_view(row, context, note=note))


@requires(*SECRETARIAT)
async def survey_command(update: Update, context: BotContext) -> None:
    """/survey: every survey with its response rate and buttons, a page at a time."""
    message = update.effective_message
    assert message is not None and context.person is not None
    found = await context.services.db.run(list_surveys, viewer=context.person, page=1)
    text, markup = list_view(found, context)
    await message.reply_text(text, reply_markup=markup)


async def _list(update: Update, context: BotContext, data: ButtonData) -> None:
    assert update.callback_query is not None and context.person is not None
    found = await context.services.db.run(
        list_surveys, viewer=context.person, page=data.integer(1)
    )
    await update.callback_query.answer()
    await _edit(update, list_view(found, context))


async def _view(update: Update, context: BotContext, data: ButtonData) -> None:
    await _show_survey(update, context, data.integer(1))


async def _new(update: Update, context: BotContext, data: ButtonData) -> None:
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
        [_button(t(lang, f"survey_admin.template.{code}"), f"{PREFIX}:tpl:{code}")]
        for code in TEMPLATES
    ]
    buttons.append([_button(t(lang, "survey_admin.list_button"), f"{PREFIX}:l:1")])
    await update.callback_query.answer()
    text = t(lang, "survey_admin.choose_template", templates="\n".join(lines))
    await _edit(update, (text, InlineKeyboardMarkup(buttons)))


async def _template(update: Update, context: BotContext, data: ButtonData) -> None:
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


async def _choice(
    update: Update,
    context: BotContext,
    survey_id: int,
    codes: list[str],
    *,
    sample: int | None = None,
    seed: int | None = None,
    toggle: int | None = None,
) -> SendChoice | None:
    """The send choice counted by the domain, or None when it refused (said in one sentence:
    the survey was sent or closed meanwhile)."""
    try:
        return await context.services.db.run(
            send_choice,
            survey_id=survey_id,
            category_codes=codes,
            sample=sample,
            seed=seed,
            language=context.lang,
            toggle=toggle,
        )
    except UserError as error:
        if update.callback_query is not None:
            await _alert(update, context, error)
        else:
            assert update.effective_message is not None
            await update.effective_message.reply_text(t(context.lang, error.key, **error.values))
        return None


async def _send(update: Update, context: BotContext, data: ButtonData) -> None:
    """「寄送」: the categories to tick, every subscriber counted until one is ticked."""
    choice = await _choice(update, context, data.integer(1), [])
    if choice is None:
        return
    token = _open_send(context, choice, "pick")
    assert update.callback_query is not None
    await update.callback_query.answer()
    await _edit(update, pick_view(choice, token, context.lang))


async def _toggle(update: Update, context: BotContext, data: ButtonData) -> None:
    """A category ticked or unticked: the count again."""
    payload = _send_of(context, data.text(1))
    if payload is None or payload.get("step") != "pick":
        await answer_stale(update, context, "survey_admin: not the open send choice")
        return
    survey_id = _number(payload, "survey")
    assert survey_id is not None
    choice = await _choice(update, context, survey_id, _codes(payload), toggle=data.integer(2))
    if choice is None:
        return
    token = _open_send(context, choice, "pick")
    assert update.callback_query is not None
    await update.callback_query.answer()
    await _edit(update, pick_view(choice, token, context.lang))


async def _ask_sample(update: Update, context: BotContext, data: ButtonData) -> None:
    """「抽樣」: the sample size (and a seed) is typed next, from the ticked categories."""
    query = update.callback_query
    payload = _send_of(context, data.text(1))
    if query is None or payload is None or payload.get("step") != "pick":
        await answer_stale(update, context, "survey_admin: not the open send choice")
        return
    survey_id = _number(payload, "survey")
    assert survey_id is not None
    choice = await _choice(update, context, survey_id, _codes(payload))
    if choice is None:
        return
    _open_send(context, choice, "sample")
    await query.answer()
    lang = context.lang
    text = t(
        lang,
        "survey_admin.ask_sample",
        id=choice.survey_id,
        title=choice.title,
        chosen=_chosen(choice, lang),
        subscribers=choice.subscribers,
    )
    await query.edit_message_text(text)


async def _confirm(update: Update, context: BotContext, data: ButtonData) -> None:
    """「確認寄送」: the survey sent through the outbox to the choice shown."""
    query = update.callback_query
    payload = _send_of(context, data.text(1))
    if query is None or payload is None or payload.get("step") not in ("pick", "confirm"):
        await answer_stale(update, context, "survey_admin: not the open send choice")
        return
    assert context.user_data is not None and context.person is not None
    waiting.close_wait(context.user_data, WAIT)
    survey_id = _number(payload, "survey")
    assert survey_id is not None
    try:
        sent = await context.services.db.run(
            send_survey,
            survey_id=survey_id,
            category_codes=_codes(payload),
            sample=_number(payload, "sample"),
            seed=_number(payload, "seed"),
            now=utcnow(),
            actor_telegram_id=context.person.telegram_id,
        )
    except UserError as error:
        await _alert(update, context, error)
        return
    note = t(
        context.lang,
        "survey_admin.sent",
        id=sent.survey_id,
        recipients=sent.recipients,
        subscribers=sent.subscribers,
    )
    await _show_survey(update, context, survey_id, note=note)


async def _cancel_send(update: Update, context: BotContext, data: ButtonData) -> None:
    """「取消」 of a send: nothing sent, the survey shown again."""
    payload = _send_of(context, data.text(1))
    if payload is None:
        await answer_stale(update, context, "survey_admin: not the open send choice")
        return
    assert context.user_data is not None
    waiting.close_wait(context.user_data, WAIT)
    survey_id = _number(payload, "survey")
    assert survey_id is not None
    note = t(context.lang, "survey_admin.cancelled")
    await _show_survey(update, context, survey_id, note=note)


async def _ask_close(update: Update, context: BotContext, data: ButtonData) -> None:
    """「結束」: are you sure? — with the answers so far."""
    query = update.callback_query
    assert query is not None and context.person is not None
    try:
        row = await context.services.db.run(
            survey_row, viewer=context.person, survey_id=data.integer(1)
        )
    except UserError as error:
        await _alert(update, context, error)
        return
    lang = context.lang
    if row.state is SurveyState.CLOSED:
        await query.answer(t(lang, "survey_admin.already_closed", id=row.id), show_alert=True)
        return
    await query.answer()
    buttons = [
        [
            _button(t(lang, "survey_admin.close_yes_button"), f"{PREFIX}:cy:{row.id}"),
            _button(t(lang, "survey_admin.back_button"), f"{PREFIX}:v:{row.id}"),
        ]
    ]
    text = t(lang, "survey_admin.close_confirm", **_values(row, context))
    await _edit(update, (text, InlineKeyboardMarkup(buttons)))


async def _close(update: Update, context: BotContext, data: ButtonData) -> None:
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
        await _alert(update, context, error)
        return
    lang = context.lang
    if not closed:
        await query.answer(t(lang, "survey_admin.already_closed", id=survey_id), show_alert=True)
        return
    note = t(lang, "survey_admin.closed", id=survey_id)
    await _show_survey(update, context, survey_id, note=note)


async def _report(update: Update, context: BotContext, data: ButtonData) -> None:
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
            actor_telegram_id=context.person.telegram_id,
        )
    except UserError as error:
        await _alert(update, context, error)
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


Step = Callable[[Update, BotContext, ButtonData], Awaitable[None]]
STEPS: dict[str, Step] = {
    "l": _list,
    "v": _view,
    "new": _new,
    "tpl": _template,
    "s": _send,
    "t": _toggle,
    "m": _ask_sample,
    "y": _confirm,
    "x": _cancel_send,
    "c": _ask_close,
    "cy": _close,
    "r": _report,
}


@requires(*SECRETARIAT)
async def survey_admin_pressed(update: Update, context: BotContext) -> None:
    """Every /survey button (see PREFIX)."""
    query = update.callback_query
    assert query is not None
    data = parse(query.data, (PREFIX,))
    step = STEPS.get(data.verb)
    if step is None:
        await answer_stale(update, context, "survey_admin: unknown verb")
        return
    await step(update, context, data)


async def _title_typed(update: Update, context: BotContext, template: str, text: str) -> None:
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


async def _sample_typed(update: Update, context: BotContext, payload: waiting.Payload) -> None:
    """The sample size and seed: the count and 「確認寄送」, or one sentence (the wait stays)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    lang = context.lang
    parsed = parse_sample(message.text)
    if parsed is None:
        text = t(lang, "survey_admin.bad_sample", most=SAMPLE_MOST, seed_most=SEED_MOST)
        await message.reply_text(text)
        return
    sample, given = parsed
    seed = given if given is not None else secrets.randbelow(SEED_MOST + 1)
    survey_id = _number(payload, "survey")
    assert survey_id is not None
    choice = await _choice(update, context, survey_id, _codes(payload), sample=sample, seed=seed)
    if choice is None:
        return
    token = _open_send(context, choice, "confirm", sample=sample, seed=seed)
    text = t(
        lang,
        "survey_admin.sample_preview",
        id=choice.survey_id,
        title=choice.title,
        chosen=_chosen(choice, lang),
        subscribers=choice.subscribers,
        sample=sample,
        seed=seed,
        drawn="" if given is not None else t(lang, "survey_admin.seed_drawn"),
        recipients=choice.recipients,
        confirm=t(lang, "survey_admin.confirm_button"),
    )
    await message.reply_text(text, reply_markup=InlineKeyboardMarkup([_confirm_row(token, lang)]))


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
    step, template = found.payload.get("step"), found.payload.get("template")
    if step == "title" and isinstance(template, str):
        await _title_typed(update, context, template, message.text)
    elif step in ("sample", "confirm"):
        await _sample_typed(update, context, found.payload)
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
