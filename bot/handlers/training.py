"""/training in chat, step by step: the day (typed, or 「今天」) → the unit (a button each) → the
title → the hours → the attendees → the audience (buttons) → a preview with 「💾 儲存」 or
「取消」. Each step is checked as `bsmi-desk training add` checks it (a wrong answer is one
sentence and the same step again); 「💾 儲存」 calls the same use case. One wait
(`bot.edge.waiting`) holds the answers so far."""

from __future__ import annotations

import re
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from bot.duties.texts import session_line
from bot.duties.training import (
    add_training,
    check_title,
    parse_attendees,
    parse_hours,
    training_units,
)
from bot.edge import waiting
from bot.edge.access import STAFF, requires
from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import unchanged_is_fine
from bot.edge.features import Command, Feature
from kernel.clock import utcnow
from kernel.dates import parse_day
from kernel.errors import UserError
from kernel.i18n import t
from kernel.reporting import format_day
from storage.models import Audience

PREFIX = "trn"
WAIT = "training_add"
"""The wait: {"step": day|unit|title|hours|attendees|audience|confirm, and the answers}."""
MINUTES = 30
UNIT = re.compile(rf"{PREFIX}:u:([a-z0-9_]{{1,32}})")
AUDIENCE = re.compile(rf"{PREFIX}:a:({'|'.join(a.value for a in Audience)})")


def _today(context: BotContext) -> date:
    return utcnow().astimezone(context.services.tz).date()


def _keyboard(*pairs: tuple[str, str], per_row: int = 2) -> InlineKeyboardMarkup:
    buttons = [InlineKeyboardButton(label, callback_data=data) for label, data in pairs]
    return InlineKeyboardMarkup(
        [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
    )


def _stored(context: BotContext) -> waiting.Wait | None:
    assert context.user_data is not None
    found = waiting.read_wait(context.user_data, WAIT)
    return found if isinstance(found, waiting.Wait) else None


def _advance(context: BotContext, found: waiting.Wait, step: str, **answers: object) -> None:
    assert context.user_data is not None
    payload = {**found.payload, **answers, "step": step}
    waiting.open_wait(context.user_data, WAIT, payload, minutes=MINUTES)  # type: ignore[arg-type]


async def _ask_unit(update: Update, context: BotContext) -> None:
    units = await context.services.db.run_read(training_units)
    chat = update.effective_chat
    assert chat is not None
    markup = _keyboard(*((u.name_in(context.lang), f"{PREFIX}:u:{u.code}") for u in units))
    await context.bot.send_message(
        chat.id, t(context.lang, "training.ask_unit"), reply_markup=markup
    )


@requires(*STAFF)
async def training_command(update: Update, context: BotContext) -> None:
    """/training: ask for the day it was held."""
    assert update.effective_message is not None and context.user_data is not None
    lang = context.lang
    waiting.open_wait(
        context.user_data, WAIT, {"step": "day"}, minutes=MINUTES, update_id=update.update_id
    )
    await update.effective_message.reply_text(
        t(lang, "training.ask_day"),
        reply_markup=_keyboard((t(lang, "training.today"), f"{PREFIX}:today")),
    )


@requires(*STAFF)
async def answer_typed(update: Update, context: BotContext) -> None:
    """A typed answer: the day, the title, the hours or the attendees, by the step."""
    message = update.effective_message
    assert message is not None and context.user_data is not None
    lang = context.lang
    found = _stored(context)
    if found is None:
        waiting.close_wait(context.user_data, WAIT)
        await message.reply_text(t(lang, "training.lapsed"))
        return
    text = message.text or ""
    step = found.payload.get("step")
    try:
        if step == "day":
            day = parse_day(text)
            if day is None:
                raise UserError("training.bad_date", value=text.strip()[:40])
            if day > _today(context) or day.year < _today(context).year - 2:
                raise UserError("training.bad_day", value=day)
            _advance(context, found, "unit", on=day.isoformat())
            await _ask_unit(update, context)
        elif step == "title":
            _advance(context, found, "hours", title=check_title(text))
            await message.reply_text(t(lang, "training.ask_hours"))
        elif step == "hours":
            _advance(context, found, "attendees", hours=parse_hours(text))
            await message.reply_text(t(lang, "training.ask_attendees"))
        elif step == "attendees":
            _advance(context, found, "audience", attendees=parse_attendees(text))
            await message.reply_text(
                t(lang, "training.ask_audience"),
                reply_markup=_keyboard(
                    *(
                        (t(lang, f"training.audience_{a.value}"), f"{PREFIX}:a:{a.value}")
                        for a in Audience
                    )
                ),
            )
        else:  # a button is awaited
            await message.reply_text(t(lang, "training.stale"))
    except UserError as exc:
        await message.reply_text(t(lang, exc.key, **exc.values))


@requires(*STAFF)
async def button_pressed(update: Update, context: BotContext) -> None:
    """「今天」, a unit, an audience, 「💾 儲存」 or 「取消」, each only at its own step."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    lang = context.lang
    found = _stored(context)
    step = found.payload.get("step") if found is not None else None
    data = query.data
    if found is None or step is None:
        await query.answer(t(lang, "training.stale"), show_alert=True)
        return
    if data == f"{PREFIX}:no":
        waiting.close_wait(context.user_data, WAIT)
        await query.answer()
        with unchanged_is_fine():
            await query.edit_message_text(t(lang, "training.cancelled"))
        return
    unit = UNIT.fullmatch(data)
    audience = AUDIENCE.fullmatch(data)
    if step == "day" and data == f"{PREFIX}:today":
        await query.answer()
        _advance(context, found, "unit", on=_today(context).isoformat())
        await _ask_unit(update, context)
    elif step == "unit" and unit is not None:
        await query.answer()
        _advance(context, found, "title", unit=unit.group(1))
        await context.bot.send_message(query.from_user.id, t(lang, "training.ask_title"))
    elif step == "audience" and audience is not None:
        await query.answer()
        _advance(context, found, "confirm", audience=audience.group(1))
        await _preview(update, context)
    elif step == "confirm" and data == f"{PREFIX}:ok":
        await _save(update, context, found)
    else:
        await query.answer(t(lang, "training.stale"), show_alert=True)


async def _preview(update: Update, context: BotContext) -> None:
    found = _stored(context)
    assert found is not None and update.effective_chat is not None
    lang = context.lang
    answers = found.payload
    units = {u.code: u for u in await context.services.db.run_read(training_units)}
    unit = units.get(str(answers.get("unit")))
    text = t(
        lang,
        "training.preview",
        on=format_day(date.fromisoformat(str(answers["on"])), lang, roc=lang == "zh-TW"),
        unit=unit.name_in(lang) if unit else str(answers.get("unit")),
        title=str(answers.get("title")),
        hours=f"{float(answers.get('hours') or 0):g}",
        attendees=answers.get("attendees"),
        audience=t(lang, f"training.audience_{answers.get('audience')}"),
    )
    markup = _keyboard(
        (t(lang, "training.save"), f"{PREFIX}:ok"), (t(lang, "training.cancel"), f"{PREFIX}:no")
    )
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def _save(update: Update, context: BotContext, found: waiting.Wait) -> None:
    query = update.callback_query
    assert query is not None and context.user_data is not None and context.person is not None
    lang = context.lang
    answers = found.payload
    person = context.person
    try:
        row, unit = await context.services.db.run(
            add_training,
            held_on=date.fromisoformat(str(answers["on"])),
            unit=str(answers.get("unit")),
            title=str(answers.get("title")),
            hours=float(answers.get("hours") or 0),
            attendees=int(answers.get("attendees") or 0),
            audience=str(answers.get("audience")),
            today=_today(context),
            by=person.first_name or person.username or str(person.telegram_id),
            actor_telegram_id=person.telegram_id,
        )
    except UserError as exc:
        waiting.close_wait(context.user_data, WAIT)
        await query.answer(t(lang, exc.key, **exc.values)[:200], show_alert=True)
        return
    waiting.close_wait(context.user_data, WAIT)
    await query.answer()
    line = session_line(t, lang, row, unit)
    with unchanged_is_fine():
        await query.edit_message_text(t(lang, "training.saved", line=line))


@requires(*STAFF)
async def cancel_command(update: Update, context: BotContext) -> None:
    """/cancel while a session is being recorded."""
    assert update.effective_message is not None and context.user_data is not None
    waiting.close_wait(context.user_data, WAIT)
    await update.effective_message.reply_text(t(context.lang, "training.cancelled"))


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("training", training_command))
    app.add_handler(
        CommandHandler("cancel", cancel_command, filters=waiting.waiting_for(app, WAIT))
    )
    app.add_handler(MessageHandler(waiting.text_for(app, WAIT), answer_typed))
    app.add_handler(CallbackQueryHandler(button_pressed, pattern=rf"^{PREFIX}:"))


FEATURE = Feature(
    name="training",
    callback_prefixes=(PREFIX,),
    register=register,
    commands=(Command("training", STAFF),),
)
