"""Corrective actions in chat: /actions lists the open ones (names for the secretariat, counts
for other staff; pages with ◀ ▶); /action NUMBER shows one as a card with a button per field
(each asks for its text), one per field cut short (shows it whole) and one to move it to its
next status. Every button's data is parsed strictly; anything else is a stale button."""

from __future__ import annotations

import re
import warnings

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.warnings import PTBUserWarning

from bot.edge import waiting
from bot.edge.access import SECRETARIAT, STAFF, requires
from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import cancel_handler, unchanged_is_fine
from bot.handlers.courtesy.shared import MESSAGE_LIMIT, PREFIX, actor
from courtesy import action_edits, action_texts
from courtesy.action_edits import ACTION_FIELDS, DATE_FIELDS
from courtesy.action_texts import CARD_FIELDS
from courtesy.actions import ActionDetails, fetch_action_details, next_status
from kernel.errors import UserError
from kernel.i18n import t
from storage.models import ActionStatus

ACTION_KEY = "courtesy_action"
"""The wait for a field's text: payload {"id": action id, "field": field name}."""
ACTION_MINUTES = 15
"""A field's prompt lapses after this long, so a later, unrelated message is not stored."""
ACTION_TEXT = 10
CHAT_REFUSALS = {
    "courtesy.actions.needs_plan": "courtesy.action.needs_plan",
    "courtesy.actions.needs_done": "courtesy.action.needs_done",
    "courtesy.actions.needs_verification": "courtesy.action.needs_verification",
}
"""The CLI's refusals name its options; in chat the same refusal names the buttons."""
FIELDS = "|".join(ACTION_FIELDS)
ID = r"([0-9]{1,9})"
"""An action's number as a button carries it: ASCII digits, at most nine (ids fit 31 bits)."""
STEPS = "|".join(s.value for s in ActionStatus if next_status(s.value) is not None)
ASK = re.compile(rf"{PREFIX}:af:{ID}:({FIELDS})")
NEXT = re.compile(rf"{PREFIX}:an:{ID}:({STEPS})")
SHOW = re.compile(rf"{PREFIX}:as:{ID}:({'|'.join(CARD_FIELDS)})")
PAGE = re.compile(rf"{PREFIX}:ap:([0-9]{{1,4}})")
NUMBER = re.compile(r"#?([0-9]{1,9})")

_cancel_wait = cancel_handler(ACTION_KEY, "courtesy.action.cancelled")


def _field_label(lang: str, field: str) -> str:
    return t(lang, f"courtesy.action.field.{field}")


def _card(lang: str, details: ActionDetails) -> tuple[str, InlineKeyboardMarkup | None]:
    """The card's text and its buttons: one per field cut short (shows it whole), one per field
    and the next step (none of these once closed)."""
    action = details.action
    card = action_texts.card_text(lang, details, limit=MESSAGE_LIMIT)
    rows: list[list[InlineKeyboardButton]] = []
    shows = [
        InlineKeyboardButton(
            t(lang, "courtesy.action.show", field=_field_label(lang, field)),
            callback_data=f"{PREFIX}:as:{action.id}:{field}",
        )
        for field in card.cut
    ]
    rows += [shows[i : i + 2] for i in range(0, len(shows), 2)]
    following = next_status(action.status)
    if following is not None:
        buttons = [
            InlineKeyboardButton(
                _field_label(lang, field), callback_data=f"{PREFIX}:af:{action.id}:{field}"
            )
            for field in ACTION_FIELDS
        ]
        rows += [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        rows.append(
            [
                InlineKeyboardButton(
                    t(
                        lang,
                        "courtesy.action.advance",
                        status=t(lang, f"courtesy.actions.status.{following.value}"),
                    ),
                    callback_data=f"{PREFIX}:an:{action.id}:{action.status}",
                )
            ]
        )
    return card.text, InlineKeyboardMarkup(rows) if rows else None


def _page_keyboard(lang: str, page: action_texts.ActionsPage) -> InlineKeyboardMarkup | None:
    """◀ and ▶ for the pages before and after `page`, if any."""
    buttons = []
    if page.page > 0:
        buttons.append(
            InlineKeyboardButton(
                t(lang, "courtesy.actions.previous"), callback_data=f"{PREFIX}:ap:{page.page - 1}"
            )
        )
    if page.page + 1 < page.pages:
        buttons.append(
            InlineKeyboardButton(
                t(lang, "courtesy.actions.next"), callback_data=f"{PREFIX}:ap:{page.page + 1}"
            )
        )
    return InlineKeyboardMarkup([buttons]) if buttons else None


def _chat_refusal(lang: str, exc: UserError) -> str:
    """A refusal in the chat's words: fields by their button labels, not options or codes."""
    key = CHAT_REFUSALS.get(exc.key, exc.key)
    values = dict(exc.values)
    if key in CHAT_REFUSALS.values() and "missing" in values:
        names = {"due": "due_on", "done": "done_on"}
        values["missing"] = ("、" if lang == "zh-TW" else ", ").join(
            _field_label(lang, names.get(m.strip(), m.strip()))
            for m in str(values["missing"]).split(",")
        )
    if key == "courtesy.action.too_long":
        values["field"] = _field_label(lang, str(values["field"]))
    return t(lang, key, **values)


@requires(*STAFF)
async def list_actions(update: Update, context: BotContext) -> None:
    """Open corrective actions: names and states for the secretariat, counts for others."""
    assert update.effective_message is not None
    assert context.person is not None
    page = await context.services.db.run(
        action_texts.open_actions_page,
        lang=context.lang,
        named=context.person.has_any(SECRETARIAT),
        page=0,
        limit=MESSAGE_LIMIT,
    )
    assert page is not None  # the first page always exists
    await update.effective_message.reply_text(
        page.text, reply_markup=_page_keyboard(context.lang, page)
    )


@requires(*STAFF)
async def actions_page(update: Update, context: BotContext) -> None:
    """◀ or ▶ under /actions: show that page in the same message."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.person is not None
    lang = context.lang
    found = PAGE.fullmatch(query.data)
    page = None
    if found is not None:
        page = await context.services.db.run(
            action_texts.open_actions_page,
            lang=lang,
            named=context.person.has_any(SECRETARIAT),
            page=int(found.group(1)),
            limit=MESSAGE_LIMIT,
        )
    if page is None:  # the list shrank, or the button is not ours
        await query.answer(t(lang, "courtesy.score.stale"), show_alert=True)
        return
    await query.answer()
    with unchanged_is_fine():
        await query.edit_message_text(page.text, reply_markup=_page_keyboard(lang, page))


@requires(*SECRETARIAT)
async def show_action(update: Update, context: BotContext) -> None:
    """/action NUMBER: one corrective action with buttons to fill it in and move it on."""
    assert update.effective_message is not None and update.effective_chat is not None
    lang = context.lang
    found = NUMBER.fullmatch((context.args or [""])[0]) if len(context.args or []) <= 1 else None
    if found is None:
        await update.effective_message.reply_text(t(lang, "courtesy.action.usage"))
        return
    try:
        details = await context.services.db.run(
            fetch_action_details, action_id=int(found.group(1))
        )
    except UserError as exc:
        await context.bot.send_message(update.effective_chat.id, t(lang, exc.key, **exc.values))
        return
    card, markup = _card(lang, details)
    await context.bot.send_message(update.effective_chat.id, card, reply_markup=markup)


@requires(*SECRETARIAT)
async def action_show(update: Update, context: BotContext) -> None:
    """A 📄 button: one field the card cut short, whole, in a message of its own."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang
    found = SHOW.fullmatch(query.data)
    if found is None:
        await query.answer(t(lang, "courtesy.score.stale"), show_alert=True)
        return
    try:
        details = await context.services.db.run(
            fetch_action_details, action_id=int(found.group(1))
        )
    except UserError as exc:
        await query.answer(t(lang, exc.key, **exc.values)[:200], show_alert=True)
        return
    await query.answer()
    await context.bot.send_message(
        query.from_user.id, action_texts.field_text(lang, details, found.group(2))
    )


@requires(*SECRETARIAT)
async def action_ask(update: Update, context: BotContext) -> int:
    """A field button: ask for that field's new text."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    lang = context.lang
    found = ASK.fullmatch(query.data)
    if found is None:
        await query.answer(t(lang, "courtesy.score.stale"), show_alert=True)
        return ConversationHandler.END
    action_id, field = int(found.group(1)), found.group(2)
    try:
        await context.services.db.run(action_edits.check_editable, action_id=action_id)
    except UserError as exc:
        await query.answer(t(lang, exc.key, **exc.values), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    payload = {"id": action_id, "field": field}
    waiting.open_wait(context.user_data, ACTION_KEY, payload, minutes=ACTION_MINUTES)
    key = "courtesy.action.ask_date" if field in DATE_FIELDS else "courtesy.action.ask"
    label = _field_label(lang, field)
    await context.bot.send_message(
        query.from_user.id, t(lang, key, field=label, id=action_id, minutes=ACTION_MINUTES)
    )
    return ACTION_TEXT


@requires(*SECRETARIAT)
async def action_text(update: Update, context: BotContext) -> int:
    """The typed value: check it, store it (the action's rules apply), show the card again."""
    assert update.effective_message is not None and update.effective_chat is not None
    assert context.user_data is not None
    lang = context.lang
    found = waiting.read_wait(context.user_data, ACTION_KEY)
    target = _target(found.payload) if isinstance(found, waiting.Wait) else None
    if target is None:
        waiting.close_wait(context.user_data, ACTION_KEY)
        await update.effective_message.reply_text(_not_taken(lang, found))
        return ConversationHandler.END
    action_id, field = target
    try:
        value = action_edits.parse_field_value(field, update.effective_message.text or "")
    except UserError as exc:  # asked again
        await update.effective_message.reply_text(_chat_refusal(lang, exc))
        return ACTION_TEXT
    try:
        details = await context.services.db.run(
            action_edits.edit_action_field,
            action_id=action_id,
            field=field,
            value=value,
            by=actor(update),
        )
    except UserError as exc:
        waiting.close_wait(context.user_data, ACTION_KEY)
        await update.effective_message.reply_text(_chat_refusal(lang, exc))
        return ConversationHandler.END
    waiting.close_wait(context.user_data, ACTION_KEY)
    card, markup = _card(lang, details)
    await context.bot.send_message(update.effective_chat.id, card, reply_markup=markup)
    return ConversationHandler.END


def _target(payload: waiting.Payload | None) -> tuple[int, str] | None:
    """The action id and field a wait's payload names, if it names them."""
    action_id, field = (payload or {}).get("id"), (payload or {}).get("field")
    if not isinstance(action_id, int) or isinstance(action_id, bool):
        return None
    if field not in ACTION_FIELDS:
        return None
    return action_id, str(field)


def _not_taken(lang: str, found: waiting.Wait | waiting.Lapsed | None) -> str:
    """Why a text was not stored: which field of which action lapsed, or that a wait did."""
    target = _target(found.payload) if found is not None else None
    if target is None:
        return waiting.lapsed_text(lang)
    action_id, field = target
    return t(
        lang,
        "courtesy.action.lapsed",
        field=_field_label(lang, field),
        id=action_id,
        minutes=ACTION_MINUTES,
    )


@requires(*SECRETARIAT)
async def action_cancel(update: Update, context: BotContext) -> int:
    """/cancel while an action's field is asked for."""
    return await _cancel_wait(update, context)


@requires(*SECRETARIAT)
async def action_next(update: Update, context: BotContext) -> None:
    """The next-step button: move the action on if its rules allow, and refresh the card."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang
    found = NEXT.fullmatch(query.data)
    if found is None:
        await query.answer(t(lang, "courtesy.score.stale"), show_alert=True)
        return
    raw_id, shown_status = found.groups()
    try:
        advanced = await context.services.db.run(
            action_edits.advance_action,
            action_id=int(raw_id),
            shown_status=shown_status,
            by=query.from_user.id,
        )
    except UserError as exc:
        await query.answer(_chat_refusal(lang, exc)[:200], show_alert=True)
        return
    await query.answer(
        t(
            lang,
            "courtesy.action.moved",
            id=int(raw_id),
            status=t(lang, f"courtesy.actions.status.{advanced.status.value}"),
        )
    )
    card, markup = _card(lang, advanced.details)
    with unchanged_is_fine():
        await query.edit_message_text(card, reply_markup=markup)


def register(app: BotApplication) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[CallbackQueryHandler(action_ask, pattern=rf"^{ASK.pattern}$")],
            states={ACTION_TEXT: [MessageHandler(waiting.text_for(app, ACTION_KEY), action_text)]},
            fallbacks=[CommandHandler("cancel", action_cancel)],
            name="courtesy_action",
            persistent=True,
            allow_reentry=True,
        )
    app.add_handler(conversation)
    app.add_handler(CommandHandler("action", show_action))
    app.add_handler(CallbackQueryHandler(action_next, pattern=rf"^{NEXT.pattern}$"))
    app.add_handler(CallbackQueryHandler(action_show, pattern=rf"^{SHOW.pattern}$"))
    app.add_handler(CallbackQueryHandler(actions_page, pattern=rf"^{PAGE.pattern}$"))
    app.add_handler(CommandHandler("actions", list_actions))
