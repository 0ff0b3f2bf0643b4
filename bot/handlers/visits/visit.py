"""Staff: /visit records a visit to a firm step by step (day, unit, 統一編號, name, kind, the
needs one a message, /done), then a preview with 儲存 (the same use case as `visit add`)."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.edge.access import STAFF, requires
from bot.edge.contact import public_day
from bot.edge.context import BotContext
from bot.edge.conversations import cancel_handler
from bot.handlers.visits.shared import VISIT, actor, by, go_or_cancel, quote
from bot.notices.firms import clean_tax_id
from bot.visits.recording import (
    VisitDraft,
    check_visit,
    clean_firm,
    parse_on,
    record_visit,
    units_to_choose,
)
from kernel.clock import today as local_today
from kernel.errors import UserError
from kernel.i18n import t

DAY, UNIT, TAX_ID, FIRM, KIND, NEED_TEXTS, CONFIRM = range(7)


def _draft(context: BotContext) -> VisitDraft:
    assert context.user_data is not None
    return VisitDraft.from_dict(context.user_data.get(VISIT))


def _save(context: BotContext, draft: VisitDraft) -> None:
    assert context.user_data is not None
    context.user_data[VISIT] = draft.to_dict()


@requires(*STAFF)
async def visit_start(update: Update, context: BotContext) -> int:
    """Begin a visit: ask its day."""
    assert update.effective_message is not None
    _save(context, VisitDraft())
    await update.effective_message.reply_text(t(context.lang, "visits.chat.ask_date"))
    return DAY


async def _after_day(update: Update, context: BotContext, draft: VisitDraft) -> int:
    """The person's own unit if they have one, else a choice of every unit."""
    assert update.effective_message is not None and context.person is not None
    units = await context.services.db.run(units_to_choose)
    own = [u for u in units if u.id in context.person.unit_ids]
    if len(own) == 1:
        draft.unit = own[0].code
        _save(context, draft)
        await update.effective_message.reply_text(t(context.lang, "visits.chat.ask_tax_id"))
        return TAX_ID
    _save(context, draft)
    if not units:
        await update.effective_message.reply_text(t(context.lang, "visits.chat.no_units"))
        return ConversationHandler.END
    rows = [
        [InlineKeyboardButton(u.name_in(context.lang), callback_data=f"{VISIT}:u:{u.code}")]
        for u in units
    ]
    await update.effective_message.reply_text(
        t(context.lang, "visits.chat.ask_unit"), reply_markup=InlineKeyboardMarkup(rows)
    )
    return UNIT


@requires(*STAFF)
async def visit_day(update: Update, context: BotContext) -> int:
    """Take the day (not after today)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    try:
        day = parse_on(message.text, today=local_today(context.services.tz))
    except UserError as exc:
        await message.reply_text(t(context.lang, exc.key, **exc.values))
        return DAY
    draft = _draft(context)
    draft.on = day.isoformat()
    return await _after_day(update, context, draft)


@requires(*STAFF)
async def visit_today(update: Update, context: BotContext) -> int:
    """/skip at the day: today."""
    draft = _draft(context)
    draft.on = local_today(context.services.tz).isoformat()
    return await _after_day(update, context, draft)


async def _take_pressed(update: Update, context: BotContext, field: str, ask: str) -> None:
    """Keep the pressed button's value as the draft's `field` (the domain checks it when the
    visit is saved), take the keyboard away and ask the next question."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    draft = _draft(context)
    setattr(draft, field, query.data.split(":", 2)[2])
    _save(context, draft)
    await query.edit_message_reply_markup(None)
    assert update.effective_message is not None
    await update.effective_message.reply_text(t(context.lang, ask))


@requires(*STAFF)
async def visit_unit(update: Update, context: BotContext) -> int:
    """Take the unit pressed."""
    await _take_pressed(update, context, "unit", "visits.chat.ask_tax_id")
    return TAX_ID


@requires(*STAFF)
async def visit_tax_id(update: Update, context: BotContext) -> int:
    """Take the 統一編號 (checked), ask the firm's name."""
    message = update.effective_message
    assert message is not None and message.text is not None
    try:
        tax_id = clean_tax_id(message.text)
    except UserError as exc:
        await message.reply_text(t(context.lang, exc.key, **exc.values))
        return TAX_ID
    draft = _draft(context)
    draft.tax_id = tax_id
    _save(context, draft)
    await message.reply_text(t(context.lang, "visits.chat.ask_firm"))
    return FIRM


async def _ask_kind(update: Update, context: BotContext) -> int:
    assert update.effective_message is not None
    lang = context.lang
    rows = [
        [InlineKeyboardButton(t(lang, f"visits.kind.{k}"), callback_data=f"{VISIT}:k:{k}")]
        for k in ("care", "factory")
    ]
    await update.effective_message.reply_text(
        t(lang, "visits.chat.ask_kind"), reply_markup=InlineKeyboardMarkup(rows)
    )
    return KIND


@requires(*STAFF)
async def visit_firm(update: Update, context: BotContext) -> int:
    """Take the firm's name."""
    message = update.effective_message
    assert message is not None and message.text is not None
    try:
        firm = clean_firm(message.text)
    except UserError as exc:
        await message.reply_text(t(context.lang, exc.key, **exc.values))
        return FIRM
    draft = _draft(context)
    draft.firm = firm
    _save(context, draft)
    return await _ask_kind(update, context)


@requires(*STAFF)
async def visit_no_firm(update: Update, context: BotContext) -> int:
    """/skip at the firm's name."""
    draft = _draft(context)
    draft.firm = None
    _save(context, draft)
    return await _ask_kind(update, context)


@requires(*STAFF)
async def visit_kind(update: Update, context: BotContext) -> int:
    """Take the kind pressed, ask for the needs."""
    await _take_pressed(update, context, "kind", "visits.chat.ask_needs")
    return NEED_TEXTS


@requires(*STAFF)
async def visit_need(update: Update, context: BotContext) -> int:
    """Add one need (one message)."""
    message = update.effective_message
    assert message is not None and message.text is not None
    draft = _draft(context)
    try:
        draft.add_need(message.text)
    except UserError as exc:
        await message.reply_text(t(context.lang, exc.key, **exc.values))
        return NEED_TEXTS
    _save(context, draft)
    await message.reply_text(t(context.lang, "visits.chat.need_added", count=len(draft.needs)))
    return NEED_TEXTS


@requires(*STAFF)
async def visit_done(update: Update, context: BotContext) -> int:
    """/done: the preview, with 儲存 and 取消."""
    message = update.effective_message
    assert message is not None
    lang = context.lang
    try:
        checked = await context.services.db.run(
            check_visit,
            draft=_draft(context),
            today=local_today(context.services.tz),
            answer_days=context.services.settings.need_answer_days,
        )
    except UserError as exc:
        await message.reply_text(t(lang, exc.key, **exc.values))
        return NEED_TEXTS
    needs = "\n".join(f"{n}. {quote(text)}" for n, text in enumerate(checked.needs, start=1))
    keyboard = go_or_cancel(lang, VISIT, "visits.chat.save_button", "save")
    await message.reply_text(
        t(
            lang,
            "visits.chat.preview",
            day=public_day(checked.on, lang),
            unit=checked.unit.name_in(lang),
            tax_id=checked.tax_id,
            firm=checked.firm or "—",
            kind=t(lang, f"visits.kind.{checked.kind}"),
            count=len(checked.needs),
            due=public_day(checked.due, lang),
            needs=needs or t(lang, "visits.chat.no_needs"),
        ),
        reply_markup=keyboard,
    )
    return CONFIRM


@requires(*STAFF)
async def visit_confirm(update: Update, context: BotContext) -> int:
    """儲存: record the visit and its needs."""
    query = update.callback_query
    assert query is not None and update.effective_message is not None
    await query.answer()
    await query.edit_message_reply_markup(None)
    try:
        recorded = await context.services.db.run(
            record_visit,
            draft=_draft(context),
            today=local_today(context.services.tz),
            answer_days=context.services.settings.need_answer_days,
            by=by(update),
            actor_telegram_id=actor(update),
        )
    except UserError as exc:
        await update.effective_message.reply_text(t(context.lang, exc.key, **exc.values))
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data.pop(VISIT, None)
    await update.effective_message.reply_text(
        t(
            context.lang,
            "visits.chat.saved",
            visit_id=recorded.visit.id,
            count=len(recorded.needs),
        )
    )
    return ConversationHandler.END


_cancel_visit = cancel_handler(VISIT, "visits.chat.cancelled")


async def visit_cancel(update: Update, context: BotContext) -> int:
    """Drop the visit draft; nothing is stored."""
    return await _cancel_visit(update, context)


async def prompt_again(update: Update, context: BotContext) -> None:
    """Anything unexpected inside a conversation: say what is expected."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(t(context.lang, "visits.chat.unexpected"))
