"""/duties in chat: what is overdue, due in the next 30 days and done in the last 30, with a
「✅ 完成 #12」 button per open occurrence the person may complete (their unit's, or any for the
secretariat and admins). The button asks for a note (typed), then photos or files (sent as
photos or as documents, kept as Telegram file ids), then 「完成」 records it through the same
use case as `bsmi-desk duty done`, or 「取消」 drops it. One wait (`bot.edge.waiting`) holds the
step, the note and the files so far; a button of an ended wait is answered as stale."""

from __future__ import annotations

import json
import re
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler

from bot.duties.records import (
    MAX_FILES,
    NOTE_LIMIT,
    Evidence,
    Overview,
    check_completable,
    complete,
    may_complete,
    overview,
    record_refusal,
)
from bot.duties.texts import occurrence_line
from bot.edge import waiting
from bot.edge.access import STAFF, requires
from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import unchanged_is_fine
from bot.edge.features import Command, Feature
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.i18n import t
from kernel.reporting import format_day

PREFIX = "dt"
WAIT = "duty_done"
"""The wait: {"id": occurrence, "title": its title, "step": note|files, "note", "files"}."""
MINUTES = 30
MESSAGE_LIMIT = 3900
BUTTONS = 8
"""At most this many 「完成」 buttons under the list (the earliest due first)."""
DO = re.compile(rf"{PREFIX}:do:([0-9]{{1,9}})")
OK = re.compile(rf"{PREFIX}:ok:([0-9]{{1,9}})")
NO = re.compile(rf"{PREFIX}:no:([0-9]{{1,9}})")


def _today(context: BotContext) -> date:
    return utcnow().astimezone(context.services.tz).date()


def list_text(lang: str, found: Overview) -> str:
    """The three sections, each cut short with how many more so the whole fits a message."""
    roc = lang == "zh-TW"
    parts = [t(lang, "duties.chat_title", today=format_day(found.today, lang, roc=roc))]
    budget = MESSAGE_LIMIT - len(parts[0]) - 200
    for key, rows in (
        ("duties.chat_overdue", found.overdue),
        ("duties.chat_due", found.due),
        ("duties.chat_done", found.done),
    ):
        lines = [t(lang, key)]
        shown = 0
        for row in rows:
            line = occurrence_line(t, lang, row)
            if len(line) + 1 > budget // 3 - sum(len(x) + 1 for x in lines[1:]):
                break
            lines.append(line)
            shown += 1
        if not rows:
            lines.append(t(lang, "duties.none"))
        elif shown < len(rows):
            lines.append(t(lang, "duties.chat_more", count=len(rows) - shown))
        parts.append("\n".join(lines))
    parts.append(t(lang, "duties.chat_hint"))
    return "\n\n".join(parts)


def _finish_keyboard(lang: str, occurrence_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "duties.finish"), callback_data=f"{PREFIX}:ok:{occurrence_id}"
                ),
                InlineKeyboardButton(
                    t(lang, "duties.cancel"), callback_data=f"{PREFIX}:no:{occurrence_id}"
                ),
            ]
        ]
    )


@requires(*STAFF)
async def duties_command(update: Update, context: BotContext) -> None:
    """/duties: overdue, due soon and done, with a 「完成」 button per open one of yours."""
    assert update.effective_message is not None and context.person is not None
    lang = context.lang
    found = await context.services.db.run(overview, today=_today(context))
    mine = [
        row for row in [*found.overdue, *found.due] if may_complete(context.person, row[1].unit_id)
    ][:BUTTONS]
    buttons = [
        InlineKeyboardButton(
            t(lang, "duties.done_button", id=o.id), callback_data=f"{PREFIX}:do:{o.id}"
        )
        for o, _, _ in mine
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    await update.effective_message.reply_text(
        list_text(lang, found), reply_markup=InlineKeyboardMarkup(rows) if rows else None
    )


@requires(*STAFF)
async def do_pressed(update: Update, context: BotContext) -> None:
    """「完成 #12」: check the person may, then ask for the note."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    lang = context.lang
    found = DO.fullmatch(query.data)
    if found is None:
        await query.answer(t(lang, "duties.stale"), show_alert=True)
        return
    occurrence_id = int(found.group(1))
    try:
        _, duty, _ = await context.services.db.run(
            check_completable, occurrence_id=occurrence_id, person=context.person
        )
    except UserError as exc:
        if exc.key == "duties.not_yours":
            await context.services.db.run(
                record_refusal, occurrence_id=occurrence_id, telegram_id=query.from_user.id
            )
        await query.answer(t(lang, exc.key, **exc.values)[:200], show_alert=True)
        return
    await query.answer()
    title = duty.title_in(lang)
    waiting.open_wait(
        context.user_data,
        WAIT,
        {"id": occurrence_id, "title": title, "step": "note"},
        minutes=MINUTES,
    )
    await context.bot.send_message(
        query.from_user.id, t(lang, "duties.ask_note", id=occurrence_id, title=title)
    )


def _open(context: BotContext) -> waiting.Wait | None:
    assert context.user_data is not None
    found = waiting.read_wait(context.user_data, WAIT)
    if isinstance(found, waiting.Wait) and isinstance(found.payload.get("id"), int):
        return found
    return None


@requires(*STAFF)
async def note_typed(update: Update, context: BotContext) -> None:
    """The note (step one), or a reminder to send files or press a button (step two)."""
    assert update.effective_message is not None and context.user_data is not None
    lang = context.lang
    found = _open(context)
    if found is None:
        waiting.close_wait(context.user_data, WAIT)
        await update.effective_message.reply_text(waiting.lapsed_text(lang))
        return
    occurrence_id = int(found.payload["id"])  # type: ignore[arg-type]
    if found.payload.get("step") != "note":
        await update.effective_message.reply_text(
            t(lang, "duties.files_expected"), reply_markup=_finish_keyboard(lang, occurrence_id)
        )
        return
    note = (update.effective_message.text or "").strip()
    if not note or len(note) > NOTE_LIMIT:
        await update.effective_message.reply_text(t(lang, "duties.bad_note", limit=NOTE_LIMIT))
        return
    waiting.open_wait(
        context.user_data,
        WAIT,
        {**found.payload, "step": "files", "note": note, "files": "[]"},
        minutes=MINUTES,
    )
    await update.effective_message.reply_text(
        t(lang, "duties.ask_files"), reply_markup=_finish_keyboard(lang, occurrence_id)
    )


@requires(*STAFF)
async def file_sent(update: Update, context: BotContext) -> None:
    """A photo or a document while files are asked for: kept by its Telegram file id."""
    message = update.effective_message
    assert message is not None and context.user_data is not None
    lang = context.lang
    found = _open(context)
    if found is None:
        waiting.close_wait(context.user_data, WAIT)
        await message.reply_text(waiting.lapsed_text(lang))
        return
    occurrence_id = int(found.payload["id"])  # type: ignore[arg-type]
    if found.payload.get("step") != "files":
        title = str(found.payload.get("title") or "")
        await message.reply_text(t(lang, "duties.ask_note", id=occurrence_id, title=title))
        return
    files = json.loads(str(found.payload.get("files") or "[]"))
    if len(files) >= MAX_FILES:
        await message.reply_text(
            t(lang, "duties.too_many_files", limit=MAX_FILES),
            reply_markup=_finish_keyboard(lang, occurrence_id),
        )
        return
    if message.photo:
        files.append(["photo", message.photo[-1].file_id, None])
    elif message.document is not None:
        files.append(["document", message.document.file_id, message.document.file_name])
    waiting.open_wait(
        context.user_data,
        WAIT,
        {**found.payload, "files": json.dumps(files, ensure_ascii=False)},
        minutes=MINUTES,
    )
    await message.reply_text(
        t(lang, "duties.file_taken", count=len(files)),
        reply_markup=_finish_keyboard(lang, occurrence_id),
    )


@requires(*STAFF)
async def finish_pressed(update: Update, context: BotContext) -> None:
    """「完成」: record the occurrence done today with the note and the files."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    assert context.person is not None
    lang = context.lang
    pressed = OK.fullmatch(query.data)
    found = _open(context)
    if (
        pressed is None
        or found is None
        or found.payload.get("step") != "files"
        or found.payload["id"] != int(pressed.group(1))
    ):
        await query.answer(t(lang, "duties.stale"), show_alert=True)
        return
    files = [
        Evidence(kind=kind, file_id=file_id, file_name=name)
        for kind, file_id, name in json.loads(str(found.payload.get("files") or "[]"))
    ]
    today = _today(context)
    person = context.person
    try:
        _, duty, _ = await context.services.db.run(
            complete,
            occurrence_id=int(pressed.group(1)),
            on=today,
            note=str(found.payload.get("note") or ""),
            files=files,
            today=today,
            by=person.first_name or person.username or str(person.telegram_id),
            person=person,
        )
    except UserError as exc:
        waiting.close_wait(context.user_data, WAIT)
        await query.answer(t(lang, exc.key, **exc.values)[:200], show_alert=True)
        return
    waiting.close_wait(context.user_data, WAIT)
    await query.answer()
    text = t(
        lang,
        "duties.saved",
        id=int(pressed.group(1)),
        title=duty.title_in(lang),
        on=format_day(today, lang, roc=lang == "zh-TW"),
        count=len(files),
    )
    with unchanged_is_fine():
        await query.edit_message_text(text)


@requires(*STAFF)
async def cancel_pressed(update: Update, context: BotContext) -> None:
    """「取消」: nothing is recorded."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    lang = context.lang
    pressed = NO.fullmatch(query.data)
    found = _open(context)
    if pressed is None or found is None or found.payload["id"] != int(pressed.group(1)):
        await query.answer(t(lang, "duties.stale"), show_alert=True)
        return
    waiting.close_wait(context.user_data, WAIT)
    await query.answer()
    with unchanged_is_fine():
        await query.edit_message_text(t(lang, "duties.cancelled"))


@requires(*STAFF)
async def cancel_command(update: Update, context: BotContext) -> None:
    """/cancel while a duty is being recorded."""
    assert update.effective_message is not None and context.user_data is not None
    waiting.close_wait(context.user_data, WAIT)
    await update.effective_message.reply_text(t(context.lang, "duties.cancelled"))


async def stale_button(update: Update, context: BotContext) -> None:
    """Any other `dt:` button."""
    query = update.callback_query
    assert query is not None
    await query.answer(t(context.lang, "duties.stale"), show_alert=True)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("duties", duties_command))
    app.add_handler(
        CommandHandler("cancel", cancel_command, filters=waiting.waiting_for(app, WAIT))
    )
    app.add_handler(MessageHandler(waiting.text_for(app, WAIT), note_typed))
    app.add_handler(MessageHandler(waiting.photo_or_document_for(app, WAIT), file_sent))
    app.add_handler(CallbackQueryHandler(do_pressed, pattern=rf"^{DO.pattern}$"))
    app.add_handler(CallbackQueryHandler(finish_pressed, pattern=rf"^{OK.pattern}$"))
    app.add_handler(CallbackQueryHandler(cancel_pressed, pattern=rf"^{NO.pattern}$"))
    app.add_handler(CallbackQueryHandler(stale_button, pattern=rf"^{PREFIX}:"))


FEATURE = Feature(
    name="duties",
    callback_prefixes=(PREFIX,),
    register=register,
    commands=(Command("duties", STAFF),),
)
