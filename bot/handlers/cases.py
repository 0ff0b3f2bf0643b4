"""Staff: /cases (open, overdue, mine; paged), /case NUMBER with its action buttons, /summary.

Each handler makes one domain call (one transaction, its audit row included, a refusal's too)
and sends what it returns. Every button's data is parsed strictly (known verbs, ASCII digits,
bounded, the whole of it); anything else gets the stale-button answer. The case card fits one
message: long texts and a long history are cut there and shown in full, page by page, under
its "Full text" button. Over 500 lines because the case view's text and buttons are drawn here,
next to the buttons' handlers that read them back.
"""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Callable
from datetime import date, datetime
from functools import partial
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)
from telegram.warnings import PTBUserWarning

from bot.assessment.overview import looks_like_period, summarise_period
from bot.cases import listing
from bot.cases.actions import CHOICE_ACTIONS, TEXT_INPUT_ERRORS, VERBS, Action, Refused
from bot.cases.details import CaseDetails, case_files, full_case, view_case
from bot.cases.filing import NUMBER_PATTERN, parse_case_number
from bot.cases.lifecycle import Taken, needs_more, start_action, take_action
from bot.cases.listing import LISTS
from bot.cases.period_report import period_text
from bot.cases.period_report import write_report as write_period_report
from bot.cases.summary import summarise_month
from bot.cases.summary_report import summary_text, write_report
from bot.edge import waiting
from bot.edge.access import SECRETARIAT, STAFF, requires
from bot.edge.contact import public_day
from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import cancel_handler, stale_button_handler, unchanged_is_fine
from bot.edge.features import Command, Feature, roles
from bot.edge.files import send_report_files
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.i18n import Markup, t
from kernel.periods import last_complete_month, parse_past_month
from storage.models import CaseEvent, Role
from storage.models.cases import Channel

PREFIX = "case"
PAGE = 10
MAX_OFFSET = 999_999
MESSAGE_LIMIT = 4096
"""Telegram's limit for one message, in UTF-16 code units of the text a reader sees."""
SHOWN_EVENTS = 6
FULL_PAGE = 3800
"""What one page of a case's full text may take; the rest of 4,096 is its title."""
_NUMBER = f"({NUMBER_PATTERN})"
_CODE = "([a-z0-9_.-]{1,40})"
LIST_DATA = re.compile(rf"^{PREFIX}:list:({'|'.join(LISTS)}):([0-9]{{1,6}})$")
SHOW_DATA = re.compile(rf"^{PREFIX}:show:{_NUMBER}$")
FILES_DATA = re.compile(rf"^{PREFIX}:files:{_NUMBER}$")
MORE_DATA = re.compile(rf"^{PREFIX}:more:{_NUMBER}:([0-9]{{1,3}})$")
ACTION_DATA = re.compile(rf"^{PREFIX}:a:({'|'.join(sorted(VERBS))}):{_NUMBER}$")
UNIT_DATA = re.compile(rf"^{PREFIX}:unit:{_NUMBER}:{_CODE}$")
CATEGORY_DATA = re.compile(rf"^{PREFIX}:cat:{_NUMBER}:{_CODE}$")
CASE_TEXT = 30
PENDING = "case_pending_action"
"""The wait for an action's text: payload {"action": verb, "number": case number}."""
PENDING_MINUTES = 15
"""A prompt for a note, reply, reason … lapses after this long, so a person who walked away
does not have a later, unrelated message taken as that text (or sent to a reporter)."""


def _today(context: BotContext) -> date:
    return utcnow().astimezone(context.services.tz).date()


def _pressed(update: Update, pattern: re.Pattern[str]) -> tuple[str, ...]:
    """The groups of a button's data; the handler was chosen by this very pattern."""
    query = update.callback_query
    assert query is not None and query.data is not None
    match = pattern.fullmatch(query.data)
    assert match is not None
    return match.groups()


def visible_length(text: str) -> int:
    """What a Telegram-HTML text costs against the 4,096 limit: the text a reader sees (tags
    dropped, entities read), counted in UTF-16 code units as Telegram does."""
    seen = html.unescape(re.sub(r"<[^<>]*>", "", text))
    return len(seen.encode("utf-16-le")) // 2


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
                    due=public_day(c.due_on, lang),
                    late=Markup(
                        (t(lang, "cases.list.late", days=late) if late > 0 else "")
                        + (t(lang, "cases.proof.list_flag") if listed.reply_undelivered else "")
                    ),
                )
            )
        if any(listed.reply_undelivered for listed in page.cases):
            lines.append(t(lang, "cases.proof.list_note"))
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
    assert query is not None
    await query.answer()
    which, offset = _pressed(update, LIST_DATA)
    text, markup = await _list_view(context, which, min(int(offset), MAX_OFFSET))
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


def _history_line(event: CaseEvent, lang: str, tz: ZoneInfo, note: str) -> str:
    return t(
        lang,
        "cases.history_line",
        at=public_day(event.at.astimezone(tz).date(), lang),
        action=t(lang, f"cases.actions.{event.action}"),
        state=t(lang, f"cases.states.{event.to_state}"),
        note=note,
    )


SHOWN_MESSAGES = 5
"""Messages to the petitioner on the card (the latest); "Full text" lists them all."""


def _moment(at: datetime, lang: str) -> str:
    """A day and time in a chat message: the day as `public_day` writes it, then HH:MM."""
    return f"{public_day(at.date(), lang)} {at:%H:%M}"


def _proof_lines(
    details: CaseDetails, lang: str, tz: ZoneInfo, *, last: int | None = None
) -> list[str]:
    """Each message to the petitioner (or the `last` ones) with its state and time (sent: when
    Telegram accepted it; else when it was written), and what to do when the final reply did
    not arrive."""
    if not details.messages:
        return []
    lines = [t(lang, "cases.proof.title")]
    shown = details.messages if last is None else details.messages[-last:]
    if len(shown) < len(details.messages):
        lines.append(t(lang, "cases.proof.more", count=len(details.messages) - len(shown)))
    for m in shown:
        at = m.sent_at or m.queued_at
        what = m.key.rsplit(".", 1)[-1]
        lines.append(
            t(
                lang,
                "cases.proof.line",
                at=_moment(at.astimezone(tz), lang) if at else "—",
                what=t(lang, f"cases.proof.what.{what}"),
                state=t(lang, f"cases.proof.states.{m.status}"),
            )
        )
    if details.reply_undelivered:
        reply = [m for m in details.messages if m.key.endswith(".reply")][-1]
        lines.append(
            t(lang, "cases.proof.undelivered", state=t(lang, f"cases.proof.states.{reply.status}"))
        )
    return lines


def _details_text(details: CaseDetails, lang: str, tz: ZoneInfo) -> tuple[str, bool]:
    """The case card, and whether anything was left out of it (a text cut, earlier events):
    then its "Full text" button shows everything. The card always fits one message."""
    c = details.case
    cut = any(
        len(text or "") > limit
        for text, limit in (
            (c.subject, 300),
            (c.location, 300),
            (c.description, 1200),
            (c.reply_text, 700),
            (c.reason, 300),
        )
    )
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
            received=public_day(c.received_on, lang),
            due=public_day(c.due_on, lang),
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
    parts.extend(_proof_lines(details, lang, tz, last=SHOWN_MESSAGES))
    cut = cut or any(len(e.note or "") > 80 for e in details.events)
    cut = cut or len(details.messages) > SHOWN_MESSAGES  # "Full text" lists them all
    history = [_history_line(e, lang, tz, _event_note(e, lang)) for e in details.events]
    shown = min(len(history), SHOWN_EVENTS)
    while True:
        lines = list(parts)
        if history:
            lines.append(t(lang, "cases.history"))
            if shown < len(history):
                lines.append(t(lang, "cases.history_more", count=len(history) - shown))
            lines.extend(history[len(history) - shown :])
        if shown < len(history) or cut:
            lines.append(t(lang, "cases.cut_note", button=t(lang, "cases.buttons.more")))
        text = "\n".join(lines)
        if visible_length(text) <= MESSAGE_LIMIT or shown == 0:
            return text, shown < len(history) or cut
        shown -= 1  # the oldest shown event goes; "Full text" has it


def _details_keyboard(
    details: CaseDetails, lang: str, *, more: bool
) -> InlineKeyboardMarkup | None:
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
    if more:
        buttons.append(
            InlineKeyboardButton(
                t(lang, "cases.buttons.more"), callback_data=f"{PREFIX}:more:{number}:0"
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
        text, more = _details_text(details, lang, context.services.tz)
        markup = _details_keyboard(details, lang, more=more)
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
        found = await context.services.db.run(view_case, number=number, viewer=context.person)
    except UserError as exc:
        found = Refused(exc)
    details = found.error if isinstance(found, Refused) else found
    await _show_details(update, context, details, edit=False)


@requires(*STAFF)
async def show_case(update: Update, context: BotContext) -> None:
    """/case NUMBER: details and the actions this person may take."""
    assert update.effective_message is not None
    if not context.args:
        await update.effective_message.reply_text(t(context.lang, "cases.usage"))
        return
    try:
        number = parse_case_number(context.args[0])
    except UserError as exc:
        await update.effective_message.reply_text(t(context.lang, exc.key, **exc.values))
        return
    await _show(update, context, number)


@requires(*STAFF)
async def show_pressed(update: Update, context: BotContext) -> None:
    """A case number button under /cases."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    (number,) = _pressed(update, SHOW_DATA)
    await _show(update, context, number)


@requires(*STAFF)
async def send_files(update: Update, context: BotContext) -> None:
    """Send the reporter's photos and documents (kept as Telegram file ids)."""
    query = update.callback_query
    assert query is not None and context.person is not None
    await query.answer()
    assert update.effective_chat is not None
    (number,) = _pressed(update, FILES_DATA)
    try:
        files = await context.services.db.run(case_files, number=number, viewer=context.person)
    except UserError as exc:  # no such case
        files = Refused(exc)
    if isinstance(files, Refused):  # a stale button: the case moved to another unit
        error = files.error
        await context.bot.send_message(
            update.effective_chat.id, t(context.lang, error.key, **error.values)
        )
        return
    for attachment in files:
        if attachment.kind == "photo":
            await context.bot.send_photo(update.effective_chat.id, attachment.file_id)
        else:
            await context.bot.send_document(update.effective_chat.id, attachment.file_id)


def _pieces(text: str, size: int) -> list[str]:
    """`text` in pieces of at most `size` UTF-16 code units, broken after a line where one
    ends in the second half of a piece (before escaping, so no entity is split)."""
    pieces: list[str] = []
    current: list[str] = []
    length = 0
    for char in text:
        width = len(char.encode("utf-16-le")) // 2
        if length + width > size:
            chunk = "".join(current)
            cut = chunk.rfind("\n", size // 2)
            if cut > 0:
                pieces.append(chunk[:cut])
                rest = chunk[cut + 1 :]
                current, length = list(rest), len(rest.encode("utf-16-le")) // 2
            else:
                pieces.append(chunk)
                current, length = [], 0
        current.append(char)
        length += width
    pieces.append("".join(current))
    return [p for p in pieces if p.strip()]


def _full_pages(details: CaseDetails, lang: str, tz: ZoneInfo) -> list[str]:
    """A case's texts in full and its whole history, as pages of at most `FULL_PAGE`."""
    c = details.case
    blocks: list[str] = []
    for key, text in (
        ("subject", c.subject),
        ("where", c.location),
        ("description", c.description),
        ("reply", c.reply_text),
        ("reason", c.reason),
    ):
        pieces = _pieces(text or "", FULL_PAGE - 100)
        if pieces:
            label = t(lang, f"cases.label_{key}")
            blocks.append(t(lang, "cases.full_part", label=label, text=pieces[0]))
            blocks.extend(html.escape(piece, quote=False) for piece in pieces[1:])
    blocks.extend(_proof_lines(details, lang, tz))
    if details.events:
        blocks.append(t(lang, "cases.history"))
    for event in details.events:
        note = _event_note(event, lang) if event.action == "file" else event.note or ""
        blocks.append(_history_line(event, lang, tz, _cut(note, FULL_PAGE - 200)))
    pages: list[str] = []
    current: list[str] = []
    length = 0
    for block in blocks:
        width = visible_length(block) + 1
        if current and length + width > FULL_PAGE:
            pages.append("\n".join(current))
            current, length = [], 0
        current.append(block)
        length += width
    pages.append("\n".join(current))
    return pages


@requires(*STAFF)
async def full_text(update: Update, context: BotContext) -> None:
    """A "Full text" (or next page) button under a case: one page of its whole text."""
    query = update.callback_query
    assert query is not None and context.person is not None
    await query.answer()
    assert update.effective_chat is not None
    number, page = _pressed(update, MORE_DATA)
    lang = context.lang
    try:
        found = await context.services.db.run(full_case, number=number, viewer=context.person)
    except UserError as exc:
        found = Refused(exc)
    if isinstance(found, Refused):
        error = found.error
        await context.bot.send_message(
            update.effective_chat.id, t(lang, error.key, **error.values)
        )
        return
    pages = _full_pages(found, lang, context.services.tz)
    index = min(int(page), len(pages) - 1)
    markup = None
    if index + 1 < len(pages):
        label = t(lang, "cases.buttons.more_page", page=index + 2, pages=len(pages))
        data = f"{PREFIX}:more:{found.case.number}:{index + 1}"
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data)]])
    title = t(lang, "cases.full_title", number=found.case.number, page=index + 1, pages=len(pages))
    await context.bot.send_message(
        update.effective_chat.id, f"{title}\n{pages[index]}", reply_markup=markup
    )


stale_button = stale_button_handler("cases.stale")
"""A case button whose data is out of date, forged or unknown: say so, change nothing."""


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
            today=_today(context),
            counting=context.services.settings.case_day_counting,
            text=text,
            unit_code=unit_code,
            category_code=category_code,
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
    action, number = _pressed(update, ACTION_DATA)
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
    payload = {"action": action, "number": number}
    waiting.open_wait(context.user_data, PENDING, payload, minutes=PENDING_MINUTES)


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
    done = await _apply(update, context, number, action, text=message.text)
    if isinstance(done, UserError) and done.key in TEXT_INPUT_ERRORS:
        _wait_for_text(context, action, number)
        return CASE_TEXT  # asked again: the error line says what to fix
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
    number, code = _pressed(update, UNIT_DATA if action == Action.ASSIGN else CATEGORY_DATA)
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
    if args and looks_like_period(args[0]):
        await _period_summary(update, context, args[0], roc=roc)
        return
    if args:
        try:
            year, month = parse_past_month(args[0], today=today).year_month
        except UserError as exc:
            await update.effective_message.reply_text(t(lang, exc.key, **exc.values))
            return
    else:
        year, month = last_complete_month(today).year_month
    built = await context.services.db.run(
        summarise_month,
        actor_telegram_id=context.person.telegram_id,
        year=year,
        month=month,
        today=today,
        language=lang,
        counting=context.services.settings.case_day_counting,
        tz=context.services.tz,
    )
    await send_report_files(
        context.bot,
        update.effective_chat.id,
        partial(write_report, built, language=lang, roc=roc),
        prefix="bsmi-summary-",
        text=summary_text(built, lang, roc=roc),
    )


async def _period_summary(update: Update, context: BotContext, text: str, *, roc: bool) -> None:
    """/summary 2027-H1 or /summary 2027: the half-year's or year's analysis with its files."""
    assert update.effective_message is not None and update.effective_chat is not None
    assert context.person is not None
    lang = context.lang
    try:
        built = await context.services.db.run(
            summarise_period,
            text=text,
            today=_today(context),
            language=lang,
            by=context.person.telegram_id,
        )
    except UserError as exc:
        await update.effective_message.reply_text(t(lang, exc.key, **exc.values))
        return
    await send_report_files(
        context.bot,
        update.effective_chat.id,
        partial(write_period_report, built, language=lang, roc=roc),
        prefix="bsmi-summary-",
        text=period_text(built, lang, roc=roc or lang == "zh-TW"),
    )


def register(app: BotApplication) -> None:
    with warnings.catch_warnings():
        # The action buttons live on the /case message itself; per-chat tracking is intended.
        warnings.simplefilter("ignore", PTBUserWarning)
        conversation = ConversationHandler(
            entry_points=[CallbackQueryHandler(action_pressed, pattern=ACTION_DATA)],
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
    buttons: list[tuple[Callable[[Update, BotContext], object], re.Pattern[str]]] = [
        (list_page, LIST_DATA),
        (show_pressed, SHOW_DATA),
        (send_files, FILES_DATA),
        (full_text, MORE_DATA),
        (unit_chosen, UNIT_DATA),
        (category_chosen, CATEGORY_DATA),
    ]
    for callback, pattern in buttons:
        app.add_handler(CallbackQueryHandler(callback, pattern=pattern))  # type: ignore[arg-type]
    app.add_handler(CallbackQueryHandler(stale_button, pattern=rf"^{PREFIX}:"))


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
