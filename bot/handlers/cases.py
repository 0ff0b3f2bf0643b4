"""Staff: /cases (open, overdue, mine; paged), /case NUMBER with its action buttons, /summary.

Each handler makes one domain call (one transaction, its audit row included) and sends what it
returns. Over 500 lines because the case view's text and buttons are drawn here, next to the
buttons' handlers that read them back.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)
from telegram.warnings import PTBUserWarning

from bot.cases import listing
from bot.cases.actions import CHOICE_ACTIONS, TEXT_INPUT_ERRORS, Action
from bot.cases.details import CaseDetails, fetch_case_details, view_case
from bot.cases.lifecycle import Taken, needs_more, start_action, take_action
from bot.cases.listing import LISTS
from bot.cases.summary import (
    last_complete_month,
    parse_month,
    summarise_month,
    summary_text,
    write_report,
)
from bot.edge import waiting
from bot.edge.access import SECRETARIAT, STAFF, requires
from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import cancel_handler, unchanged_is_fine
from bot.edge.features import Command, Feature, roles
from bot.handlers.case_news import send_notices
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.i18n import Markup, t
from storage.models import CaseEvent, Role
from storage.models.cases import Channel

logger = logging.getLogger(__name__)

PREFIX = "case"
PAGE = 10
CASE_TEXT = 30
PENDING = "case_pending_action"  # PendingAction.to_dict()
PENDING_MINUTES = 15
"""A prompt for a note, reply, reason … lapses after this long, so a person who walked away
does not have a later, unrelated message taken as that text (or sent to a reporter)."""


@dataclass(frozen=True)
class PendingAction:
    """A staff action waiting for its text: which action, on which case, until when."""

    action: str
    number: str
    lapses_at: float
    """POSIX seconds."""

    def to_dict(self) -> dict[str, object]:
        return {"action": self.action, "number": self.number, "lapses_at": self.lapses_at}

    @classmethod
    def from_dict(cls, data: object) -> PendingAction | None:
        """The wait as stored, also as the list `[action, number, lapses at]` an earlier
        version stored; None for anything unreadable (an older wait without a lapse time)."""
        if isinstance(data, list) and len(data) == 3:
            data = dict(zip(("action", "number", "lapses_at"), data, strict=True))
        if not isinstance(data, dict):
            return None
        try:
            return cls(str(data["action"]), str(data["number"]), float(data["lapses_at"]))
        except (KeyError, TypeError, ValueError):
            return None


def _today(context: BotContext) -> date:
    return utcnow().astimezone(context.services.tz).date()


async def _list_view(
    context: BotContext, which: str, offset: int
) -> tuple[str, InlineKeyboardMarkup]:
    assert context.person is not None
    lang = context.lang
    page = await context.services.db.run(
        listing.list_cases,
        viewer=context.person,
        which=which,
        today=_today(context),
        offset=offset,
        limit=PAGE,
    )
    header = t(lang, f"cases.list.{which}", total=page.total)
    if not page.cases:
        lines = [header, t(lang, "cases.list.empty")]
    else:
        lines = [header]
        for listed in page.cases:
            c, late = listed.case, listed.days_late
            lines.append(
                t(
                    lang,
                    "cases.list.line",
                    number=c.number,
                    kind=t(lang, f"cases.kinds.{c.kind}"),
                    state=t(lang, f"cases.states.{c.state}"),
                    due=c.due_on.isoformat(),
                    late=Markup(t(lang, "cases.list.late", days=late) if late > 0 else ""),
                )
            )
    numbers = [listed.case.number for listed in page.cases]
    rows = [
        [
            InlineKeyboardButton(number, callback_data=f"{PREFIX}:show:{number}")
            for number in numbers[i : i + 2]
        ]
        for i in range(0, len(numbers), 2)
    ]
    paging = []
    if offset > 0:
        paging.append(
            InlineKeyboardButton(
                "◀", callback_data=f"{PREFIX}:list:{which}:{max(0, offset - PAGE)}"
            )
        )
    if offset + PAGE < page.total:
        paging.append(
            InlineKeyboardButton("▶", callback_data=f"{PREFIX}:list:{which}:{offset + PAGE}")
        )
    if paging:
        rows.append(paging)
    rows.append(
        [
            InlineKeyboardButton(
                ("• " if w == which else "") + t(lang, f"cases.list.tab_{w}"),
                callback_data=f"{PREFIX}:list:{w}:0",
            )
            for w in LISTS
        ]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


@requires(*STAFF)
async def list_cases(update: Update, context: BotContext) -> None:
    """/cases [open|overdue|mine]: a page of cases."""
    assert update.effective_message is not None
    which = (context.args[0].lower() if context.args else "open").strip()
    if which not in LISTS:
        await update.effective_message.reply_text(t(context.lang, "cases.list.usage"))
        return
    text, markup = await _list_view(context, which, 0)
    await update.effective_message.reply_text(text, reply_markup=markup)


@requires(*STAFF)
async def list_page(update: Update, context: BotContext) -> None:
    """A paging or tab button under /cases."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    _, _, which, offset = (query.data.split(":") + ["", ""])[:4]
    if which not in LISTS or not offset.isdigit():
        return
    text, markup = await _list_view(context, which, int(offset))
    with unchanged_is_fine():
        await query.edit_message_text(text, reply_markup=markup)


def _cut(text: str, limit: int) -> str:
    """`text`, shortened to `limit` characters with an ellipsis (the whole is kept on file)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _event_note(event: CaseEvent, lang: str) -> str:
    """The note of a history line; the channel of a filing in words, not its code."""
    if event.action == "file" and event.note in {c.value for c in Channel}:
        return t(lang, f"cases.channels.{event.note}")
    return _cut(event.note or "", 80)


def _details_text(details: CaseDetails, lang: str, tz: ZoneInfo) -> str:
    c = details.case
    unit = (details.unit_name_zh if lang == "zh-TW" else details.unit_name_en) or t(
        lang, "cases.no_unit"
    )
    state = t(lang, f"cases.states.{c.state}")
    if c.closure:
        state += " · " + t(lang, f"cases.closure.{c.closure}")
    parts = [
        t(
            lang,
            "cases.detail",
            number=c.number,
            kind=t(lang, f"cases.kinds.{c.kind}"),
            state=state,
            channel=t(lang, f"cases.channels.{c.channel}"),
            received=c.received_on.isoformat(),
            due=c.due_on.isoformat(),
            unit=unit,
            category=(details.category_name_zh if lang == "zh-TW" else details.category_name_en)
            or "—",
            subject=_cut(c.subject, 300),
            where=_cut(c.location or "—", 300),
            description=_cut(c.description, 1200),
            files=len(details.attachments),
        )
    ]
    if c.extended_days:
        parts.append(t(lang, "cases.detail_extended", days=c.extended_days))
    if c.reply_text:
        parts.append(t(lang, "cases.detail_reply", reply=_cut(c.reply_text, 700)))
    if c.reason:
        parts.append(t(lang, "cases.detail_reason", reason=_cut(c.reason, 300)))
    if details.reporter is not None:
        r = details.reporter
        if r.anonymous:
            who = t(lang, "cases.reporter_anonymous")
        elif r.name or r.phone:
            who = t(lang, "cases.reporter_contact", name=r.name or "—", phone=r.phone or "—")
        else:
            who = t(lang, "cases.reporter_none")
        if r.telegram_id is not None:
            who += t(lang, "cases.reporter_telegram", telegram_id=r.telegram_id)
        parts.append(t(lang, "cases.reporter", who=Markup(who)))
    events = details.events[-6:]
    if events:
        parts.append(t(lang, "cases.history"))
        for e in events:
            parts.append(
                t(
                    lang,
                    "cases.history_line",
                    at=e.at.astimezone(tz).strftime("%Y-%m-%d"),
                    action=t(lang, f"cases.actions.{e.action}"),
                    state=t(lang, f"cases.states.{e.to_state}"),
                    note=_event_note(e, lang),
                )
            )
    return "\n".join(parts)


def _details_keyboard(details: CaseDetails, lang: str) -> InlineKeyboardMarkup | None:
    number = details.case.number
    buttons = [
        InlineKeyboardButton(
            t(lang, f"cases.buttons.{a}"), callback_data=f"{PREFIX}:a:{a}:{number}"
        )
        for a in details.actions
    ]
    if details.attachments:
        buttons.append(
            InlineKeyboardButton(
                t(lang, "cases.buttons.files", count=len(details.attachments)),
                callback_data=f"{PREFIX}:files:{number}",
            )
        )
    rows = [buttons[i : i + 3] for i in range(0, len(buttons), 3)]
    return InlineKeyboardMarkup(rows) if rows else None


async def _show_details(
    update: Update,
    context: BotContext,
    details: CaseDetails | UserError,
    *,
    edit: bool,
) -> None:
    """The case view (or the refusal in its place), as a new message or in the pressed one."""
    lang = context.lang
    if isinstance(details, UserError):
        text, markup = t(lang, details.key, **details.values), None
    else:
        text = _details_text(details, lang, context.services.tz)
        markup = _details_keyboard(details, lang)
    if edit and update.callback_query is not None:
        with unchanged_is_fine():
            await update.callback_query.edit_message_text(text, reply_markup=markup)
    else:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, text, reply_markup=markup)


async def _show(update: Update, context: BotContext, number: str) -> None:
    """Read the case for this person (audited when it shows the reporter) and send it."""
    assert context.person is not None
    details: CaseDetails | UserError
    try:
        details = await context.services.db.run(view_case, number=number, viewer=context.person)
    except UserError as exc:
        details = exc
    await _show_details(update, context, details, edit=False)


@requires(*STAFF)
async def show_case(update: Update, context: BotContext) -> None:
    """/case NUMBER: details and the actions this person may take."""
    assert update.effective_message is not None
    if not context.args:
        await update.effective_message.reply_text(t(context.lang, "cases.usage"))
        return
    await _show(update, context, context.args[0])


@requires(*STAFF)
async def show_pressed(update: Update, context: BotContext) -> None:
    """A case number button under /cases."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    await _show(update, context, query.data.rpartition(":")[2])


@requires(*STAFF)
async def send_files(update: Update, context: BotContext) -> None:
    """Send the reporter's photos and documents (kept as Telegram file ids)."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.person is not None
    await query.answer()
    assert update.effective_chat is not None
    try:
        details = await context.services.db.run(
            fetch_case_details, number=query.data.rpartition(":")[2], viewer=context.person
        )
    except UserError as exc:  # a stale button: the case moved to another unit, or no such case
        await context.bot.send_message(
            update.effective_chat.id, t(context.lang, exc.key, **exc.values)
        )
        return
    for attachment in details.attachments:
        if attachment.kind == "photo":
            await context.bot.send_photo(update.effective_chat.id, attachment.file_id)
        else:
            await context.bot.send_document(update.effective_chat.id, attachment.file_id)


async def _apply(
    update: Update,
    context: BotContext,
    number: str,
    action: str,
    *,
    text: str | None = None,
    unit_code: str | None = None,
    category_code: str | None = None,
    show: bool = False,
) -> Taken | UserError:
    """Apply an action with its audit row in one transaction, tell whoever must be told, reply.
    Returns what was done, or the refusal the person was shown."""
    assert context.person is not None and update.effective_chat is not None
    lang = context.lang
    try:
        taken = await context.services.db.run(
            take_action,
            number=number,
            action=action,
            actor=context.person,
            today=_today(context),
            counting=context.services.settings.case_day_counting,
            text=text,
            unit_code=unit_code,
            category_code=category_code,
            show=show,
        )
    except UserError as exc:
        await context.bot.send_message(update.effective_chat.id, t(lang, exc.key, **exc.values))
        return exc
    outcome = taken.outcome
    await send_notices(context.bot, context.services, outcome.notices)
    await context.bot.send_message(
        update.effective_chat.id,
        t(
            lang,
            "cases.done",
            action=t(lang, f"cases.actions.{action}"),
            number=outcome.number,
            state=t(lang, f"cases.states.{outcome.state}"),
            due=outcome.due_on.isoformat(),
        ),
    )
    return taken


@requires(*STAFF)
async def action_pressed(update: Update, context: BotContext) -> int | None:
    """An action button: pick a unit or category, act at once, or ask for the text."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    await query.answer()
    _, _, action, number = query.data.split(":", 3)
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
        context.user_data.pop(PENDING, None)
        await context.bot.send_message(update.effective_chat.id, t(lang, exc.key, **exc.values))
        return ConversationHandler.END
    number = start.number
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


def _wait_for_text(context: BotContext, action: str, number: str) -> None:
    assert context.user_data is not None
    lapses_at = utcnow().timestamp() + PENDING_MINUTES * 60
    context.user_data[PENDING] = PendingAction(action, number, lapses_at).to_dict()


@requires(*STAFF)
async def action_text(update: Update, context: BotContext) -> int:
    """The text an action needed (note, question, reply, reason, days and reason …)."""
    message = update.effective_message
    assert message is not None and message.text is not None and context.user_data is not None
    # Nothing waits, or a wait stored by an older version without a lapse time: as lapsed.
    pending = PendingAction.from_dict(context.user_data.pop(PENDING, None))
    if pending is None:
        await message.reply_text(t(context.lang, "cases.prompt_none"))
        return ConversationHandler.END
    if utcnow().timestamp() > pending.lapses_at:
        await message.reply_text(
            t(
                context.lang,
                "cases.prompt_lapsed",
                action=t(context.lang, f"cases.actions.{pending.action}"),
                number=pending.number,
                minutes=PENDING_MINUTES,
            )
        )
        return ConversationHandler.END
    done = await _apply(update, context, pending.number, pending.action, text=message.text)
    if isinstance(done, UserError) and done.key in TEXT_INPUT_ERRORS:
        _wait_for_text(context, pending.action, pending.number)
        return CASE_TEXT  # asked again: the error line says what to fix
    return ConversationHandler.END


_cancel_wait = cancel_handler(PENDING, "cases.cancelled")


@requires(*STAFF)
async def action_cancel(update: Update, context: BotContext) -> int:
    """/cancel while an action waits for its text."""
    return await _cancel_wait(update, context)


async def _choose_and_show(update: Update, context: BotContext, action: str) -> None:
    """A unit or category button: apply it, then show the case again in the pressed message."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    _, _, number, code = query.data.split(":", 3)
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
        await _show_details(update, context, details, edit=True)


@requires(*SECRETARIAT)
async def unit_chosen(update: Update, context: BotContext) -> None:
    """A unit button after 'assign'."""
    await _choose_and_show(update, context, Action.ASSIGN)


@requires(*STAFF)
async def category_chosen(update: Update, context: BotContext) -> None:
    """A category button after 'category'."""
    await _choose_and_show(update, context, Action.CATEGORY)


@requires(*SECRETARIAT)
async def summary(update: Update, context: BotContext) -> None:
    """/summary [YYYY-MM] [roc]: a short text and the HTML, CSV and PNG files."""
    assert update.effective_message is not None and update.effective_chat is not None
    assert context.person is not None
    lang = context.lang
    today = _today(context)
    args = [a for a in context.args or [] if a.lower() != "roc"]
    roc = len(args) != len(context.args or [])
    if args:
        try:
            year, month = parse_month(args[0], today=today)
        except UserError as exc:
            await update.effective_message.reply_text(t(lang, exc.key, **exc.values))
            return
    else:
        year, month = last_complete_month(today)
    built = await context.services.db.run(
        summarise_month,
        actor_telegram_id=context.person.telegram_id,
        year=year,
        month=month,
        today=today,
        language=lang,
        counting=context.services.settings.case_day_counting,
    )
    with tempfile.TemporaryDirectory(prefix="bsmi-summary-") as tmp:
        paths = await asyncio.to_thread(write_report, built, Path(tmp), lang, roc=roc)
        await update.effective_message.reply_text(summary_text(built, lang, roc=roc))
        for path in paths:
            with path.open("rb") as handle:
                await context.bot.send_document(
                    update.effective_chat.id, handle, filename=path.name
                )


def register(app: BotApplication) -> None:
    with warnings.catch_warnings():
        # The action buttons live on the /case message itself; per-chat tracking is intended.
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[CallbackQueryHandler(action_pressed, pattern=rf"^{PREFIX}:a:")],
            states={CASE_TEXT: [MessageHandler(waiting.text_for(app, PENDING), action_text)]},
            fallbacks=[CommandHandler("cancel", action_cancel)],
            name="case_action",
            persistent=True,
            allow_reentry=True,
        )
    app.add_handler(conversation)
    app.add_handler(CommandHandler("cases", list_cases))
    app.add_handler(CommandHandler("case", show_case))
    app.add_handler(CommandHandler("summary", summary))
    app.add_handler(CallbackQueryHandler(list_page, pattern=rf"^{PREFIX}:list:"))
    app.add_handler(CallbackQueryHandler(show_pressed, pattern=rf"^{PREFIX}:show:"))
    app.add_handler(CallbackQueryHandler(send_files, pattern=rf"^{PREFIX}:files:"))
    app.add_handler(CallbackQueryHandler(unit_chosen, pattern=rf"^{PREFIX}:unit:"))
    app.add_handler(CallbackQueryHandler(category_chosen, pattern=rf"^{PREFIX}:cat:"))


STAFF_ROLES = roles(Role.INSPECTOR, Role.SECRETARIAT, Role.ADMIN)

FEATURE = Feature(
    name="cases",
    callback_prefixes=(PREFIX,),
    register=register,
    commands=(
        Command("cases", STAFF_ROLES),
        Command("case", STAFF_ROLES),
        Command("summary", roles(Role.SECRETARIAT, Role.ADMIN)),
    ),
)
