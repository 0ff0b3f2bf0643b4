"""/tests and /score TEST_ID: an inspector's calls, and scoring one with a button per item, an
optional note and a summary to confirm."""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Mapping
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.edge.access import STAFF, requires
from bot.edge.contact import public_day
from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import cancel_handler, stale_button_handler
from bot.handlers.courtesy.shared import PREFIX, local_now, person_id
from courtesy import scoring
from courtesy.rubric import Item, grade_label
from courtesy.scoring_state import ScoringState
from kernel.errors import UserError
from kernel.i18n import Markup, t

logger = logging.getLogger(__name__)

ITEM, NOTE, CONFIRM = range(3)
POINTS = re.compile(rf"{PREFIX}:p:([0-9A-Za-z-]{{1,24}}):([0-9]{{1,2}}):([0-9]{{1,3}})")
"""An item's button: the call's code, the item's position and the points, ASCII and bounded."""
STATE_KEY = "courtesy_score"
NOTE_LIMIT = 1000

_cancel_scoring = cancel_handler(STATE_KEY, "courtesy.score.cancelled")
_stale = stale_button_handler("courtesy.score.stale")


@requires(*STAFF)
async def list_tests(update: Update, context: BotContext) -> None:
    """An inspector's calls still to make and score, with date, time and extension."""
    assert update.effective_message is not None and context.person is not None
    lang = context.lang
    views = await context.services.db.run(scoring.open_calls_of, person_id=context.person.id)
    if views is None:
        await update.effective_message.reply_text(
            t(lang, "courtesy.tests.not_linked", telegram_id=context.person.telegram_id)
        )
        return
    if not views:
        await update.effective_message.reply_text(t(lang, "courtesy.tests.none"))
        return
    lines = [t(lang, "courtesy.tests.header")]
    for view in views:
        lines.append(
            t(
                lang,
                "courtesy.tests.line",
                code=view.code,
                day=public_day(view.day, lang),
                time=view.at.strftime("%H:%M"),
                extension=view.extension,
                unit=view.unit_name(lang),
                due=public_day(view.due_on, lang),
                retest=Markup(
                    t(lang, "courtesy.tests.retest") if view.retest_of_action_id else ""
                ),
            )
        )
    await update.effective_message.reply_text("\n".join(lines))


def _item_keyboard(lang: str, code: str, item: Item, index: int) -> InlineKeyboardMarkup:
    """One button per allowed score; the data names the call and the item's position (see
    ScoringState.accepts)."""
    buttons = []
    for points in item.choices:
        if item.code == "speed" and points in (25, 20, 10, 0):
            label = t(lang, f"courtesy.score.speed_{points}")
        else:
            label = t(lang, "courtesy.score.points", points=points)
        buttons.append(
            [InlineKeyboardButton(label, callback_data=f"{PREFIX}:p:{code}:{index}:{points}")]
        )
    return InlineKeyboardMarkup(buttons)


def _refusal(lang: str, key: str, values: Mapping[str, object]) -> str:
    """A refusal in the chat's words, its dates as chat messages write them (ROC in Chinese)."""
    shown = {k: public_day(v, lang) if isinstance(v, date) else v for k, v in values.items()}
    return t(lang, key, **shown)


def _item_text(lang: str, item: Item) -> str:
    return t(lang, "courtesy.score.item", name=item.name(lang), max=item.max_points)


@requires(*STAFF)
async def score_start(update: Update, context: BotContext) -> int:
    """/score TEST_ID: check the call is this inspector's, then ask for the first item."""
    assert update.effective_message is not None and context.user_data is not None
    assert update.effective_user is not None
    lang = context.lang
    if not context.args:
        await update.effective_message.reply_text(t(lang, "courtesy.score.usage"))
        return ConversationHandler.END
    try:
        started = await context.services.db.run(
            scoring.begin_scoring,
            code=context.args[0],
            person_id=person_id(context),
            by=update.effective_user.id,
            now=local_now(context),
        )
    except UserError as exc:
        await update.effective_message.reply_text(_refusal(lang, exc.key, exc.values))
        return ConversationHandler.END
    if isinstance(started, scoring.Refusal):
        await update.effective_message.reply_text(_refusal(lang, started.key, started.values))
        return ConversationHandler.END
    view, rubric = started.view, started.rubric
    state = ScoringState.start(view.code, rubric)
    context.user_data[STATE_KEY] = state.to_dict()
    await update.effective_message.reply_text(
        t(
            lang,
            "courtesy.score.start",
            code=view.code,
            day=public_day(view.day, lang),
            time=view.at.strftime("%H:%M"),
            extension=view.extension,
            unit=view.unit_name(lang),
            rubric=rubric.name(lang),
        )
    )
    first = state.items[0]
    await update.effective_message.reply_text(
        _item_text(lang, first), reply_markup=_item_keyboard(lang, view.code, first, 0)
    )
    return ITEM


@requires(*STAFF)
async def score_item(update: Update, context: BotContext) -> int:
    """Take the pressed points for the current item; ask the next one, or for a note."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    lang = context.lang
    state = ScoringState.from_dict(context.user_data.get(STATE_KEY))
    found = POINTS.fullmatch(query.data)
    points = int(found.group(3)) if found else -1
    current = (
        found is not None
        and state is not None
        and state.accepts(found.group(1), int(found.group(2)), points)
    )
    # Answered first; a button of an earlier item (or of a finished scoring) gets an alert.
    await query.answer(
        None if current else t(lang, "courtesy.score.stale"), show_alert=not current
    )
    if state is None:
        return ConversationHandler.END
    if not current:
        return ITEM
    item = state.take(points)
    context.user_data[STATE_KEY] = state.to_dict()
    await query.edit_message_text(
        t(
            lang,
            "courtesy.score.summary_line",
            name=item.name(lang),
            points=points,
            max=item.max_points,
        )
    )
    following = state.current
    if following is not None:
        await context.bot.send_message(
            query.message.chat.id if query.message else query.from_user.id,
            _item_text(lang, following),
            reply_markup=_item_keyboard(lang, state.code, following, state.index),
        )
        return ITEM
    await context.bot.send_message(query.from_user.id, t(lang, "courtesy.score.note"))
    return NOTE


async def _summary(update: Update, context: BotContext, state: ScoringState) -> int:
    assert update.effective_chat is not None
    lang = context.lang
    outcome = state.outcome(context.services.settings.courtesy_pass_mark)
    lines = [
        t(
            lang,
            "courtesy.score.summary_line",
            name=i.name(lang),
            points=state.points[i.code],
            max=i.max_points,
        )
        for i in state.items
    ]
    if state.note:
        lines.append(t(lang, "courtesy.score.note_line", note=state.note))
    verdict = t(lang, "courtesy.results.passed" if outcome.passed else "courtesy.results.failed")
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "courtesy.score.confirm"), callback_data=f"{PREFIX}:ok"
                ),
                InlineKeyboardButton(
                    t(lang, "courtesy.score.cancel"), callback_data=f"{PREFIX}:no"
                ),
            ]
        ]
    )
    await context.bot.send_message(
        update.effective_chat.id,
        t(
            lang,
            "courtesy.score.summary",
            code=state.code,
            lines=Markup("\n".join(lines)),
            total=f"{outcome.total:g}",
            grade=grade_label(outcome.grade, lang),
            outcome=verdict,
        ),
        reply_markup=keyboard,
    )
    return CONFIRM


@requires(*STAFF)
async def score_note(update: Update, context: BotContext) -> int:
    """Keep the typed note, then show the summary."""
    assert update.effective_message is not None and context.user_data is not None
    state = ScoringState.from_dict(context.user_data.get(STATE_KEY))
    if state is None:
        return ConversationHandler.END
    note = update.effective_message.text or ""
    if len(note) > NOTE_LIMIT:
        await update.effective_message.reply_text(
            t(context.lang, "courtesy.score.note_too_long", max=NOTE_LIMIT, length=len(note))
        )
        return NOTE
    state.note = note
    context.user_data[STATE_KEY] = state.to_dict()
    return await _summary(update, context, state)


@requires(*STAFF)
async def score_skip_note(update: Update, context: BotContext) -> int:
    """No note: show the summary."""
    assert context.user_data is not None
    state = ScoringState.from_dict(context.user_data.get(STATE_KEY))
    if state is None:
        return ConversationHandler.END
    return await _summary(update, context, state)


@requires(*STAFF)
async def score_confirm(update: Update, context: BotContext) -> int:
    """Record the result (the assignment is checked again), or drop it."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    await query.answer()
    lang = context.lang
    state = ScoringState.from_dict(context.user_data.pop(STATE_KEY, None))
    if state is None or query.data.endswith(":no"):
        await query.edit_message_text(
            t(lang, "courtesy.score.cancelled" if state else "courtesy.score.stale")
        )
        return ConversationHandler.END
    try:
        recorded = await context.services.db.run(
            scoring.record_scored_call,
            code=state.code,
            points=state.points,
            note=state.note,
            pass_mark=context.services.settings.courtesy_pass_mark,
            person_id=person_id(context),
            by=query.from_user.id,
            now=local_now(context),
        )
    except UserError as exc:
        await query.edit_message_text(_refusal(lang, exc.key, exc.values))
        return ConversationHandler.END
    text = t(
        lang,
        "courtesy.score.saved",
        code=recorded.code,
        total=f"{recorded.score.total:g}",
        grade=grade_label(recorded.score.grade, lang),
    )
    if recorded.action_id is not None:
        text += "\n" + t(
            lang, "courtesy.score.action", action=recorded.action_id, retest=recorded.retest_code
        )
    await query.edit_message_text(text)
    return ConversationHandler.END


@requires(*STAFF)
async def score_cancel(update: Update, context: BotContext) -> int:
    """/cancel: drop the scoring in progress."""
    return await _cancel_scoring(update, context)


@requires(*STAFF)
async def stale_button(update: Update, context: BotContext) -> None:
    """A courtesy button from a conversation that has ended, or data no button of ours has."""
    query = update.callback_query
    logger.info("stale or unknown courtesy button %r", (query.data or "")[:64] if query else "")
    await _stale(update, context)


def register(app: BotApplication) -> None:
    with warnings.catch_warnings():
        # The item buttons are per chat and the state is the person's own user_data.
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[CommandHandler("score", score_start)],
            states={
                ITEM: [CallbackQueryHandler(score_item, pattern=rf"^{POINTS.pattern}$")],
                NOTE: [
                    CommandHandler("skip", score_skip_note),
                    MessageHandler(filters.TEXT & ~filters.COMMAND, score_note),
                ],
                CONFIRM: [CallbackQueryHandler(score_confirm, pattern=rf"^{PREFIX}:(ok|no)$")],
            },
            fallbacks=[CommandHandler("cancel", score_cancel)],
            name="courtesy_score",
            persistent=True,
            allow_reentry=True,
        )
    app.add_handler(conversation)
    app.add_handler(CommandHandler("tests", list_tests))
