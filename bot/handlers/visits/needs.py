"""Staff: /needs lists the open needs of the person's unit (the secretariat: every unit's), a
page at a time, with 「回覆」 (a typed answer) and 「發公告」 (a notice to that firm alone, through
the notices domain's targeted publishing, so it reaches the firm's chats through the outbox)."""

from __future__ import annotations

import math

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot.edge.access import SECRETARIAT, STAFF, requires
from bot.edge.contact import public_day
from bot.edge.context import BotContext
from bot.edge.conversations import cancel_handler, stale_button_handler
from bot.handlers.visits.shared import NEEDS, actor, by, go_or_cancel, quote
from bot.notices.publishing import clean_title
from bot.visits.listing import NeedState, OpenNeed, open_needs
from bot.visits.noticing import need_reach, preview_for_need, publish_for_need
from bot.visits.recording import (
    answer_need,
    open_need,
)
from kernel.clock import today as local_today
from kernel.errors import UserError
from kernel.i18n import t

ANSWER, TITLE, BODY, SEND = range(10, 14)
PAGE = 5
"""Needs per /needs page: five quoted needs and their buttons fit one message."""


def _unit_ids(context: BotContext) -> frozenset[int] | None:
    """The units whose needs the person handles: every unit's for the secretariat."""
    assert context.person is not None
    return None if context.person.has_any(SECRETARIAT) else context.person.unit_ids


def _needs_page(context: BotContext, found: list[OpenNeed], page: int) -> tuple[str, object]:
    lang = context.lang
    pages = max(1, math.ceil(len(found) / PAGE))
    page = min(max(page, 0), pages - 1)
    shown = found[page * PAGE : (page + 1) * PAGE]
    lines = [t(lang, "visits.chat.needs_title", count=len(found), page=page + 1, pages=pages)]
    rows = []
    for item in shown:
        need = item.need
        lines.append(
            t(
                lang,
                "visits.chat.needs_line",
                need_id=need.id,
                unit=item.unit.name_in(lang),
                tax_id=need.tax_id,
                firm=need.firm_name or "",
                channel=t(lang, f"visits.channel.{need.channel}"),
                due=public_day(need.due_on, lang),
                state=t(lang, f"visits.state.{item.state.value}"),
                text=quote(need.text),
            )
        )
        rows.append(
            [
                InlineKeyboardButton(
                    t(lang, "visits.chat.answer_button", need_id=need.id),
                    callback_data=f"{NEEDS}:a:{need.id}",
                ),
                InlineKeyboardButton(
                    t(lang, "visits.chat.notice_button", need_id=need.id),
                    callback_data=f"{NEEDS}:n:{need.id}",
                ),
            ]
        )
    nav = []
    if page > 0:
        nav.append(
            InlineKeyboardButton(
                t(lang, "visits.chat.previous_button"), callback_data=f"{NEEDS}:p:{page - 1}"
            )
        )
    if page < pages - 1:
        nav.append(
            InlineKeyboardButton(
                t(lang, "visits.chat.next_button"), callback_data=f"{NEEDS}:p:{page + 1}"
            )
        )
    if nav:
        rows.append(nav)
    return "\n\n".join(lines), InlineKeyboardMarkup(rows)


@requires(*STAFF)
async def needs_list(update: Update, context: BotContext) -> None:
    """/needs: the open needs, a page at a time, each with 「回覆」 and 「發公告」."""
    assert update.effective_message is not None
    found = await context.services.db.run(
        open_needs, unit_ids=_unit_ids(context), today=local_today(context.services.tz)
    )
    if not found:
        await update.effective_message.reply_text(t(context.lang, "visits.chat.needs_empty"))
        return
    text, markup = _needs_page(context, found, 0)
    await update.effective_message.reply_text(text, reply_markup=markup)  # type: ignore[arg-type]


@requires(*STAFF)
async def needs_page(update: Update, context: BotContext) -> None:
    """Another page of /needs."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    found = await context.services.db.run(
        open_needs, unit_ids=_unit_ids(context), today=local_today(context.services.tz)
    )
    if not found:
        await query.edit_message_text(t(context.lang, "visits.chat.needs_empty"))
        return
    text, markup = _needs_page(context, found, int(query.data.split(":")[2]))
    await query.edit_message_text(text, reply_markup=markup)  # type: ignore[arg-type]


def _need_id(update: Update) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None
    return int(query.data.split(":")[2])


@requires(*STAFF)
async def need_answer_start(update: Update, context: BotContext) -> int:
    """「回覆」: ask for the answer, if the need is still open and the person's unit's."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    need_id = _need_id(update)
    try:
        await context.services.db.run(open_need, need_id=need_id, unit_ids=_unit_ids(context))
    except UserError as exc:
        await query.answer(t(context.lang, exc.key, **exc.values), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    context.user_data[NEEDS] = {"need_id": need_id}
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        t(context.lang, "visits.chat.ask_answer", need_id=need_id)
    )
    return ANSWER


def _held(context: BotContext) -> dict[str, object]:
    assert context.user_data is not None
    held = context.user_data.get(NEEDS)
    return held if isinstance(held, dict) else {}


@requires(*STAFF)
async def need_answer_text(update: Update, context: BotContext) -> int:
    """The answer typed: record it, say whether on time."""
    message = update.effective_message
    assert message is not None and message.text is not None
    need_id = _held(context).get("need_id")
    if not isinstance(need_id, int):
        return ConversationHandler.END
    try:
        need = await context.services.db.run(
            answer_need,
            need_id=need_id,
            text=message.text,
            on=None,
            today=local_today(context.services.tz),
            by=by(update),
            actor_telegram_id=actor(update),
            unit_ids=_unit_ids(context),
        )
    except UserError as exc:
        await message.reply_text(t(context.lang, exc.key, **exc.values))
        if exc.key in ("visits.text_empty", "visits.text_too_long"):
            return ANSWER
        return ConversationHandler.END
    assert context.user_data is not None and need.answered_on is not None
    context.user_data.pop(NEEDS, None)
    state = NeedState.ON_TIME if need.answered_on <= need.due_on else NeedState.LATE
    await message.reply_text(
        t(
            context.lang,
            "visits.answered",
            need_id=need_id,
            state=t(context.lang, f"visits.state.{state.value}"),
        )
    )
    return ConversationHandler.END


@requires(*STAFF)
async def need_notice_start(update: Update, context: BotContext) -> int:
    """「發公告」: a notice to the need's firm; ask its title."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    need_id = _need_id(update)
    try:
        need, chats = await context.services.db.run(
            need_reach, need_id=need_id, unit_ids=_unit_ids(context)
        )
    except UserError as exc:
        await query.answer(t(context.lang, exc.key, **exc.values), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    context.user_data[NEEDS] = {"need_id": need_id, "tax_id": need.tax_id}
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        t(
            context.lang,
            "visits.chat.ask_notice_title",
            need_id=need_id,
            tax_id=need.tax_id,
            chats=chats,
        )
    )
    return TITLE


@requires(*STAFF)
async def need_notice_title(update: Update, context: BotContext) -> int:
    """Keep the title (checked as any notice's), ask the body."""
    message = update.effective_message
    assert message is not None and message.text is not None and context.user_data is not None
    try:
        title = clean_title(message.text)
    except UserError as exc:
        await message.reply_text(t(context.lang, exc.key, **exc.values))
        return TITLE
    context.user_data[NEEDS] = {**_held(context), "title": title}
    await message.reply_text(t(context.lang, "visits.chat.ask_notice_body"))
    return BODY


@requires(*STAFF)
async def need_notice_body(update: Update, context: BotContext) -> int:
    """Preview the notice as the firm's chats will get it; 送出 or 取消."""
    message = update.effective_message
    assert message is not None and message.text is not None and context.user_data is not None
    held = {**_held(context), "body": message.text}
    need_id, title = held.get("need_id"), held.get("title")
    if not isinstance(need_id, int) or not isinstance(title, str):
        return ConversationHandler.END
    lang = context.lang
    try:
        preview = await context.services.db.run(
            preview_for_need,
            need_id=need_id,
            unit_ids=_unit_ids(context),
            title=title,
            body=message.text,
            language=lang,
            default_language=context.services.settings.default_language,
        )
    except UserError as exc:
        await message.reply_text(t(lang, exc.key, **exc.values))
        return BODY
    context.user_data[NEEDS] = held
    await message.reply_text(t(lang, "notice.preview_header"))
    for part in preview.copies[0].messages:
        await message.reply_text(part)
    keyboard = go_or_cancel(lang, NEEDS, "visits.chat.send_button", "send")
    await message.reply_text(
        t(
            lang,
            "visits.chat.notice_confirm",
            tax_id=str(held.get("tax_id", "")),
            count=preview.recipients,
        ),
        reply_markup=keyboard,
    )
    return SEND


@requires(*STAFF)
async def need_notice_send(update: Update, context: BotContext) -> int:
    """送出: publish the notice to the firm's chats (through the outbox)."""
    query = update.callback_query
    assert query is not None and update.effective_message is not None
    await query.answer()
    await query.edit_message_reply_markup(None)
    held = _held(context)
    need_id, title, body = held.get("need_id"), held.get("title"), held.get("body")
    if not (isinstance(need_id, int) and isinstance(title, str) and isinstance(body, str)):
        return ConversationHandler.END
    assert context.person is not None and context.user_data is not None
    try:
        published = await context.services.db.run(
            publish_for_need,
            need_id=need_id,
            unit_ids=_unit_ids(context),
            title=title,
            body=body,
            created_by_id=context.person.id,
            actor_telegram_id=actor(update),
        )
    except UserError as exc:
        await update.effective_message.reply_text(t(context.lang, exc.key, **exc.values))
        return ConversationHandler.END
    context.user_data.pop(NEEDS, None)
    await update.effective_message.reply_text(
        t(
            context.lang,
            "visits.chat.notice_sent",
            notice_id=published.notice_id,
            count=published.recipients,
            need_id=need_id,
        )
    )
    return ConversationHandler.END


_cancel_needs = cancel_handler(NEEDS, "visits.chat.cancelled")
_stale = stale_button_handler("visits.chat.stale")


async def needs_cancel(update: Update, context: BotContext) -> int:
    """Drop the answer or notice being written; nothing is stored or sent."""
    return await _cancel_needs(update, context)


@requires(*STAFF)
async def visits_stale(update: Update, context: BotContext) -> None:
    """A button of a step or a conversation that is over."""
    await _stale(update, context)
