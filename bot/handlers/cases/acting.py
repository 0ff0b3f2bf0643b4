"""Acting on a case: its action buttons, the unit or category chosen, and the text a pending
action waits for (a note, question, reply, reason …), each applied in one domain call with
its audit row and its news."""

from __future__ import annotations

import contextlib
import re
import warnings

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.warnings import PTBUserWarning

from bot.cases.actions import CHOICE_ACTIONS, TEXT_INPUT_ERRORS, VERBS, Action, Refused
from bot.cases.lifecycle import Taken, needs_more, start_action, take_action
from bot.edge import waiting
from bot.edge.access import SECRETARIAT, STAFF, requires
from bot.edge.contact import public_day
from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import cancel_handler, unchanged_is_fine
from bot.handlers.cases.letter import send_letter
from bot.handlers.cases.shared import NUMBER, PREFIX, local_today, pressed
from bot.handlers.cases.viewing import show_details
from kernel.errors import UserError
from kernel.i18n import t
from storage.models.cases import ReplyChannel

_CODE = "([a-z0-9_.-]{1,40})"
ACTION_DATA = re.compile(rf"^{PREFIX}:a:({'|'.join(sorted(VERBS))}):{NUMBER}$")
UNIT_DATA = re.compile(rf"^{PREFIX}:unit:{NUMBER}:{_CODE}$")
CATEGORY_DATA = re.compile(rf"^{PREFIX}:cat:{NUMBER}:{_CODE}$")
_HOWS = "|".join(h.value for h in ReplyChannel)
HOW_DATA = re.compile(rf"^{PREFIX}:how:{NUMBER}:({_HOWS})$")
"""How a reply to a petitioner without a chat was given (phone, letter, e-mail)."""
CASE_TEXT = 30
PENDING = "case_pending_action"
"""The wait for an action's text: payload {"action": verb, "number": case number}."""
PENDING_MINUTES = 15
"""A prompt for a note, reply, reason … lapses after this long, so a person who walked away
does not have a later, unrelated message taken as that text (or sent to a reporter)."""


async def _apply(
    update: Update,
    context: BotContext,
    number: str,
    action: str,
    *,
    text: str | None = None,
    unit_code: str | None = None,
    category_code: str | None = None,
    reply_how: str | None = None,
    show: bool = False,
) -> Taken | UserError:
    """Apply an action with its audit row and its news (outbox rows) in one transaction, reply.
    Returns what was done, or the refusal the person was shown."""
    assert context.person is not None and update.effective_chat is not None
    lang = context.lang
    try:
        taken = await context.services.db.run(
            take_action,
            number=number,
            action=action,
            actor=context.person,
            today=local_today(context),
            counting=context.services.settings.case_day_counting,
            text=text,
            unit_code=unit_code,
            category_code=category_code,
            reply_how=reply_how,
            show=show,
        )
    except UserError as exc:
        taken = Refused(exc)
    if isinstance(taken, Refused):
        error = taken.error
        await context.bot.send_message(
            update.effective_chat.id, t(lang, error.key, **error.values)
        )
        return error
    outcome = taken.outcome
    await context.bot.send_message(
        update.effective_chat.id,
        t(
            lang,
            "cases.done",
            action=t(lang, f"cases.actions.{action}"),
            number=outcome.number,
            state=t(lang, f"cases.states.{outcome.state}"),
            due=public_day(outcome.due_on, lang),
        ),
    )
    return taken


@requires(*STAFF)
async def action_pressed(update: Update, context: BotContext) -> int | None:
    """An action button: pick a unit or category, act at once, or ask for the text."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    await query.answer()
    action, number = pressed(update, ACTION_DATA)
    lang = context.lang
    assert context.person is not None and update.effective_chat is not None
    if not needs_more(action):
        await _apply(update, context, number, action)
        return ConversationHandler.END
    try:
        # Refused here, before a keyboard or a prompt invites the person to go on.
        start = await context.services.db.run(
            start_action, number=number, action=action, actor=context.person
        )
    except UserError as exc:
        start = Refused(exc)
    if isinstance(start, Refused):
        context.user_data.pop(PENDING, None)
        error = start.error
        await context.bot.send_message(
            update.effective_chat.id, t(lang, error.key, **error.values)
        )
        return ConversationHandler.END
    number = start.number
    if action == Action.REPLY and start.off_chat:
        buttons = [
            InlineKeyboardButton(
                t(lang, f"cases.reply_how.{how.value}"),
                callback_data=f"{PREFIX}:how:{number}:{how.value}",
            )
            for how in ReplyChannel
        ]
        with unchanged_is_fine():
            await query.edit_message_reply_markup(InlineKeyboardMarkup([buttons]))
        return None
    if action in CHOICE_ACTIONS:
        kind, per_row = ("unit", 3) if action == Action.ASSIGN else ("cat", 2)
        buttons = [
            InlineKeyboardButton(
                c.name_in(lang), callback_data=f"{PREFIX}:{kind}:{number}:{c.code}"
            )
            for c in start.choices
        ]
        rows = [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]
        with unchanged_is_fine():
            await query.edit_message_reply_markup(InlineKeyboardMarkup(rows))
        return None
    _wait_for_text(context, action, number)
    counting = t(lang, f"summary.counting_{context.services.settings.case_day_counting}")
    prompt = t(lang, f"cases.prompts.{action}", number=number, counting=counting)
    lapse = t(lang, "cases.prompt_lapse", minutes=PENDING_MINUTES)
    await context.bot.send_message(update.effective_chat.id, f"{prompt}\n{lapse}")
    return CASE_TEXT


def _wait_for_text(context: BotContext, action: str, number: str, how: str | None = None) -> None:
    assert context.user_data is not None
    payload = {"action": action, "number": number, "how": how}
    waiting.open_wait(context.user_data, PENDING, payload, minutes=PENDING_MINUTES)


@requires(*STAFF)
async def how_chosen(update: Update, context: BotContext) -> int:
    """How a reply off chat was given: ask for what was said (and the day, if not today)."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    await query.answer()
    number, how = pressed(update, HOW_DATA)
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(None)
    _wait_for_text(context, Action.REPLY, number, how)
    lang = context.lang
    prompt = t(
        lang, "cases.prompts.reply_off_chat", number=number, how=t(lang, f"cases.channels.{how}")
    )
    lapse = t(lang, "cases.prompt_lapse", minutes=PENDING_MINUTES)
    await context.bot.send_message(update.effective_chat.id, f"{prompt}\n{lapse}")
    return CASE_TEXT


@requires(*STAFF)
async def action_text(update: Update, context: BotContext) -> int:
    """The text an action needed (note, question, reply, reason, days and reason …)."""
    message = update.effective_message
    assert message is not None and message.text is not None and context.user_data is not None
    found = waiting.close_wait(context.user_data, PENDING)
    pending = _pending(found.payload) if isinstance(found, waiting.Wait) else None
    if pending is None:
        await message.reply_text(_not_taken(context.lang, found))
        return ConversationHandler.END
    action, number = pending
    how = found.payload.get("how") if isinstance(found, waiting.Wait) else None
    reply_how = how if how in {h.value for h in ReplyChannel} else None
    done = await _apply(update, context, number, action, text=message.text, reply_how=reply_how)
    if isinstance(done, UserError) and done.key in TEXT_INPUT_ERRORS:
        _wait_for_text(context, action, number, reply_how)
        return CASE_TEXT  # asked again: the error line says what to fix
    if isinstance(done, Taken) and reply_how == ReplyChannel.LETTER:
        if done.letter is None:
            await message.reply_text(t(context.lang, "cases.letter_by_secretariat"))
        elif not isinstance(done.letter, Refused):
            await send_letter(update, context, done.letter)
    return ConversationHandler.END


def _pending(payload: waiting.Payload | None) -> tuple[str, str] | None:
    """The action and case number a wait's payload names, if it names them."""
    action, number = (payload or {}).get("action"), (payload or {}).get("number")
    if action not in VERBS or not isinstance(number, str):
        return None
    return str(action), number


def _not_taken(lang: str, found: waiting.Wait | waiting.Lapsed | None) -> str:
    """Why a text was not taken: nothing waited, or which action on which case lapsed."""
    if found is None:
        return t(lang, "cases.prompt_none")
    pending = _pending(found.payload)
    if pending is None:
        return waiting.lapsed_text(lang)
    action, number = pending
    return t(
        lang,
        "cases.prompt_lapsed",
        action=t(lang, f"cases.actions.{action}"),
        number=number,
        minutes=PENDING_MINUTES,
    )


_cancel_wait = cancel_handler(PENDING, "cases.cancelled")


@requires(*STAFF)
async def action_cancel(update: Update, context: BotContext) -> int:
    """/cancel while an action waits for its text."""
    return await _cancel_wait(update, context)


async def _choose_and_show(update: Update, context: BotContext, action: str) -> None:
    """A unit or category button: apply it, then show the case again in the pressed message."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    number, code = pressed(update, UNIT_DATA if action == Action.ASSIGN else CATEGORY_DATA)
    taken = await _apply(
        update,
        context,
        number,
        action,
        unit_code=code if action == Action.ASSIGN else None,
        category_code=code if action == Action.CATEGORY else None,
        show=True,
    )
    if isinstance(taken, Taken):
        details = taken.details or UserError("cases.not_found", number=number)
        await show_details(update, context, details, edit=True)


@requires(*SECRETARIAT)
async def unit_chosen(update: Update, context: BotContext) -> None:
    """A unit button after 'assign'."""
    await _choose_and_show(update, context, Action.ASSIGN)


@requires(*STAFF)
async def category_chosen(update: Update, context: BotContext) -> None:
    """A category button after 'category'."""
    await _choose_and_show(update, context, Action.CATEGORY)


def conversation(app: BotApplication) -> ConversationHandler[BotContext]:
    """An action button, then the text it waits for (or /cancel); kept across restarts."""
    with warnings.catch_warnings():
        # The action buttons live on the /case message itself; per-chat tracking is intended.
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=[
                CallbackQueryHandler(action_pressed, pattern=ACTION_DATA),
                CallbackQueryHandler(how_chosen, pattern=HOW_DATA),
            ],
            states={CASE_TEXT: [MessageHandler(waiting.text_for(app, PENDING), action_text)]},
            fallbacks=[CommandHandler("cancel", action_cancel)],
            name="case_action",
            persistent=True,
            allow_reentry=True,
        )
