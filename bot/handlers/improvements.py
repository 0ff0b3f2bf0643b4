"""/improvements in chat: the open improvement actions answering survey findings, for the
secretariat (all) and a unit's staff (their unit's), paged with ◀ ▶, each with a 「結案」
button: the verification is typed, shown back, and the action closes on 「✅ 確認結案」. The
close is the command line's use case (`bot.surveys.improvements.move_improvement`), with the
same checks and audit rows; another unit's action, a closed one, or a button whose wait is
gone is answered as stale and changes nothing."""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Collection

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.warnings import PTBUserWarning

from bot.edge import waiting
from bot.edge.access import SECRETARIAT, STAFF, requires
from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import cancel_handler, unchanged_is_fine
from bot.edge.features import Command, Feature
from bot.surveys import improvements as improving
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.i18n import t
from storage.models.surveys import ImprovementState

PREFIX = "sif"  # sif:c:<id> asks, sif:y / sif:n confirm or drop, sif:p:<page>
PER_PAGE = 8
ASK_KEY = "improvement_verification"
"""The wait for the typed verification: payload {"id": the action}."""
CONFIRM_KEY = "improvement_confirm"
"""The typed verification awaiting 「確認結案」: payload {"id": the action, "text": it}."""
MINUTES = 15
VERIFY = 20
ID = r"([0-9]{1,9})"
CLOSE = re.compile(rf"{PREFIX}:c:{ID}")
YES = re.compile(rf"{PREFIX}:y:{ID}")
NO = re.compile(rf"{PREFIX}:n:{ID}")
PAGE = re.compile(rf"{PREFIX}:p:([0-9]{{1,4}})")

_cancel = cancel_handler(ASK_KEY, "improvements.chat.cancelled")


def _units(context: BotContext) -> Collection[int] | None:
    """The units the person may act for: None (all) for the secretariat and admins."""
    assert context.person is not None
    return None if context.person.has_any(SECRETARIAT) else context.person.unit_ids


async def _page(context: BotContext, number: int) -> tuple[str, InlineKeyboardMarkup | None]:
    lang = context.lang
    listed = await context.services.db.run(
        improving.list_improvements, language=lang, open_only=True, units=_units(context)
    )
    if not listed:
        return t(lang, "improvements.none_open"), None
    pages = (len(listed) + PER_PAGE - 1) // PER_PAGE
    number = min(number, pages - 1)
    shown = listed[number * PER_PAGE : (number + 1) * PER_PAGE]
    roc = lang == "zh-TW"
    lines = [t(lang, "improvements.chat.header", page=number + 1, pages=pages)]
    lines += [
        html.escape(improving.improvement_line(lang, x, roc=roc), quote=False) for x in shown
    ]
    rows = [
        [
            InlineKeyboardButton(
                t(lang, "improvements.chat.close_button", id=x.id),
                callback_data=f"{PREFIX}:c:{x.id}",
            )
        ]
        for x in shown
    ]
    turns = []
    if number > 0:
        turns.append(
            InlineKeyboardButton(
                t(lang, "improvements.chat.previous"), callback_data=f"{PREFIX}:p:{number - 1}"
            )
        )
    if number + 1 < pages:
        turns.append(
            InlineKeyboardButton(
                t(lang, "improvements.chat.next"), callback_data=f"{PREFIX}:p:{number + 1}"
            )
        )
    if turns:
        rows.append(turns)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


@requires(*STAFF)
async def list_improvements(update: Update, context: BotContext) -> None:
    """/improvements: the open actions the person may close, a page at a time."""
    assert update.effective_message is not None
    text, markup = await _page(context, 0)
    await update.effective_message.reply_text(text, reply_markup=markup)


@requires(*STAFF)
async def turn_page(update: Update, context: BotContext) -> None:
    """◀ or ▶ under the list: that page in the same message."""
    query = update.callback_query
    assert query is not None and query.data is not None
    found = PAGE.fullmatch(query.data)
    if found is None:
        await query.answer(t(context.lang, "improvements.chat.stale"), show_alert=True)
        return
    await query.answer()
    text, markup = await _page(context, int(found.group(1)))
    with unchanged_is_fine():
        await query.edit_message_text(text, reply_markup=markup)


@requires(*STAFF)
async def ask_verification(update: Update, context: BotContext) -> int:
    """「結案」: if the person may close the action now, ask for the written verification."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    lang = context.lang
    found = CLOSE.fullmatch(query.data)
    if found is None:
        await query.answer(t(lang, "improvements.chat.stale"), show_alert=True)
        return ConversationHandler.END
    action_id = int(found.group(1))
    try:
        listed = await context.services.db.run(
            improving.closable, improvement_id=action_id, language=lang, units=_units(context)
        )
    except UserError:
        await query.answer(t(lang, "improvements.chat.stale"), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    waiting.close_wait(context.user_data, CONFIRM_KEY)
    waiting.open_wait(context.user_data, ASK_KEY, {"id": action_id}, minutes=MINUTES)
    await context.bot.send_message(
        query.from_user.id,
        t(
            lang,
            "improvements.chat.ask_verification",
            id=action_id,
            item=listed.item,
            minutes=MINUTES,
        ),
    )
    return VERIFY


@requires(*STAFF)
async def verification_text(update: Update, context: BotContext) -> int:
    """The typed verification: shown back with 「確認結案」 and 「取消」; nothing changes yet."""
    assert update.effective_message is not None and context.user_data is not None
    lang = context.lang
    found = waiting.close_wait(context.user_data, ASK_KEY)
    payload = found.payload if isinstance(found, waiting.Wait) else None
    action_id = (payload or {}).get("id")
    if not isinstance(action_id, int) or isinstance(action_id, bool):
        await update.effective_message.reply_text(waiting.lapsed_text(lang))
        return ConversationHandler.END
    text = (update.effective_message.text or "").strip()
    if not text or len(text) > improving.TEXT_LIMIT:
        key = "needs_verification" if not text else "too_long"
        await update.effective_message.reply_text(
            t(lang, f"improvements.errors.{key}", most=improving.TEXT_LIMIT)
        )
        waiting.open_wait(context.user_data, ASK_KEY, {"id": action_id}, minutes=MINUTES)
        return VERIFY
    try:
        listed = await context.services.db.run(
            improving.closable, improvement_id=action_id, language=lang, units=_units(context)
        )
    except UserError as exc:
        await update.effective_message.reply_text(t(lang, exc.key, **exc.values))
        return ConversationHandler.END
    waiting.open_wait(
        context.user_data, CONFIRM_KEY, {"id": action_id, "text": text}, minutes=MINUTES
    )
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "improvements.chat.confirm"), callback_data=f"{PREFIX}:y:{action_id}"
                ),
                InlineKeyboardButton(
                    t(lang, "improvements.chat.drop"), callback_data=f"{PREFIX}:n:{action_id}"
                ),
            ]
        ]
    )
    await update.effective_message.reply_text(
        t(
            lang,
            "improvements.chat.preview",
            id=action_id,
            item=listed.item,
            unit=listed.view.unit_name(lang),
            text=text,
        ),
        reply_markup=buttons,
    )
    return ConversationHandler.END


def _confirmed(context: BotContext, action_id: int) -> str | None:
    """The verification typed for `action_id`, taken from the wait (once), if still there."""
    assert context.user_data is not None
    found = waiting.close_wait(context.user_data, CONFIRM_KEY)
    payload = found.payload if isinstance(found, waiting.Wait) else None
    text = (payload or {}).get("text")
    if (payload or {}).get("id") != action_id or not isinstance(text, str):
        return None
    return text


@requires(*STAFF)
async def confirm_close(update: Update, context: BotContext) -> None:
    """「✅ 確認結案」: close the action with the verification shown."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang
    found = YES.fullmatch(query.data)
    action_id = int(found.group(1)) if found else 0
    text = _confirmed(context, action_id) if found else None
    if text is None:
        await query.answer(t(lang, "improvements.chat.stale"), show_alert=True)
        return
    try:
        await context.services.db.run(
            improving.move_improvement,
            improvement_id=action_id,
            to=ImprovementState.CLOSED,
            text=text,
            actor=f"telegram:{query.from_user.id}",
            by=query.from_user.id,
            now=utcnow(),
            units=_units(context),
        )
    except UserError:
        await query.answer(t(lang, "improvements.chat.stale"), show_alert=True)
        return
    await query.answer()
    with unchanged_is_fine():
        await query.edit_message_text(t(lang, "improvements.chat.closed", id=action_id))


@requires(*STAFF)
async def drop_close(update: Update, context: BotContext) -> None:
    """「取消」 under the preview: nothing is recorded."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang
    found = NO.fullmatch(query.data)
    action_id = int(found.group(1)) if found else 0
    if not found or _confirmed(context, action_id) is None:
        await query.answer(t(lang, "improvements.chat.stale"), show_alert=True)
        return
    await query.answer()
    with unchanged_is_fine():
        await query.edit_message_text(t(lang, "improvements.chat.dropped", id=action_id))


@requires(*STAFF)
async def cancel(update: Update, context: BotContext) -> int:
    """/cancel while the verification is asked for."""
    return await _cancel(update, context)


def register(app: BotApplication) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[CallbackQueryHandler(ask_verification, pattern=rf"^{CLOSE.pattern}$")],
            states={VERIFY: [MessageHandler(waiting.text_for(app, ASK_KEY), verification_text)]},
            fallbacks=[CommandHandler("cancel", cancel)],
            name="improvement_close",
            persistent=True,
            allow_reentry=True,
        )
    app.add_handler(conversation)
    app.add_handler(CallbackQueryHandler(confirm_close, pattern=rf"^{YES.pattern}$"))
    app.add_handler(CallbackQueryHandler(drop_close, pattern=rf"^{NO.pattern}$"))
    app.add_handler(CallbackQueryHandler(turn_page, pattern=rf"^{PAGE.pattern}$"))
    app.add_handler(CommandHandler("improvements", list_improvements))


FEATURE = Feature(
    name="improvements",
    callback_prefixes=(PREFIX,),
    register=register,
    commands=(Command("improvements", STAFF),),
)
