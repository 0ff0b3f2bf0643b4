"""/report: kind → subject → where → description → files → contact → submit, one handler a
step; the draft survives a restart. One person files at most `CASE_FILING_LIMIT_PER_HOUR`
reports an hour (checked when /report starts and again at Submit)."""

from __future__ import annotations

import contextlib
import logging
import re
import warnings

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.cases.filing import (
    MAX_FILES,
    Draft,
    check_attachment,
    check_description,
    check_filing_limit,
    check_location,
    check_subject,
    parse_contact,
    submit_report,
)
from bot.edge.contact import public_day, signed
from bot.edge.context import BotContext
from bot.edge.conversations import cancel_handler
from bot.handlers.filing.shared import PREFIX
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.i18n import Markup, t
from storage.models import Role
from storage.models.cases import CaseKind

logger = logging.getLogger(__name__)

KIND, SUBJECT, WHERE, DESCRIPTION, FILES, CONTACT, CONTACT_TYPED, CONFIRM = range(8)
KIND_DATA = re.compile(rf"^{PREFIX}:kind:({'|'.join(k.value for k in CaseKind)})$")
STEP_BUTTONS = re.compile(
    rf"^{PREFIX}:(submit|cancel|done|kind:({'|'.join(k.value for k in CaseKind)}))$"
)
"""The buttons of the steps: pressed outside their step, they belong to an ended report."""
DRAFT = "report_draft"


def _draft(context: BotContext) -> Draft:
    assert context.user_data is not None
    return Draft.from_dict(context.user_data.get(DRAFT))


def _save(context: BotContext, draft: Draft) -> None:
    assert context.user_data is not None
    context.user_data[DRAFT] = draft.to_dict()


def _roles(context: BotContext) -> frozenset[Role]:
    return context.person.roles if context.person else frozenset()


def _kind_keyboard(context: BotContext) -> InlineKeyboardMarkup:
    kinds = [CaseKind.PRODUCT, CaseKind.SERVICE]
    if Role.MONITOR in _roles(context):
        kinds.append(CaseKind.MONITOR)
    rows = [
        [
            InlineKeyboardButton(
                t(context.lang, f"cases.kinds.{k.value}"), callback_data=f"{PREFIX}:kind:{k.value}"
            )
        ]
        for k in kinds
    ]
    rows.append(
        [
            InlineKeyboardButton(
                t(context.lang, "report.cancel_button"), callback_data=f"{PREFIX}:cancel"
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


def _files_keyboard(context: BotContext) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(context.lang, "report.done_button"), callback_data=f"{PREFIX}:done"
                )
            ]
        ]
    )


def _done_label(context: BotContext) -> str:
    """The files step's button, named by its exact label wherever a prompt mentions it."""
    return t(context.lang, "report.done_button")


def _contact_keyboard(context: BotContext) -> ReplyKeyboardMarkup:
    lang = context.lang
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(t(lang, "report.contact_share"), request_contact=True)],
            [KeyboardButton(t(lang, "report.contact_type"))],
            [KeyboardButton(t(lang, "report.contact_anonymous"))],
        ],
        one_time_keyboard=True,
        resize_keyboard=True,
    )


SUMMARY_DESCRIPTION = 1500
"""The summary before Submit shows this much of the description, so it fits in one message."""


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_label(text: str, key: str) -> bool:
    return text.strip() in {t("zh-TW", key), t("en", key)}


async def report(update: Update, context: BotContext) -> int:
    """Start a report: choose its kind (unless this person reached the hourly limit)."""
    assert update.effective_message is not None and context.user_data is not None
    if context.person is not None:
        try:
            await context.services.db.run(
                check_filing_limit,
                person_id=context.person.id,
                now=utcnow(),
                limit=context.services.settings.case_filing_limit_per_hour,
                tz=context.services.tz,
            )
        except UserError as exc:
            context.user_data.pop(DRAFT, None)
            await update.effective_message.reply_text(t(context.lang, exc.key, **exc.values))
            return ConversationHandler.END
    context.user_data[DRAFT] = Draft().to_dict()
    await update.effective_message.reply_text(
        t(context.lang, "report.ask_kind"), reply_markup=_kind_keyboard(context)
    )
    return KIND


async def kind_chosen(update: Update, context: BotContext) -> int:
    """Remember the kind (monitor only for monitors, checked here) and ask for the subject."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    match = KIND_DATA.fullmatch(query.data)
    assert match is not None  # the handler's own pattern
    kind = CaseKind(match.group(1))
    if kind is CaseKind.MONITOR and Role.MONITOR not in _roles(context):
        await query.edit_message_text(
            t(context.lang, "report.monitor_only"), reply_markup=_kind_keyboard(context)
        )
        return KIND
    draft = _draft(context)
    draft.kind = kind.value
    _save(context, draft)
    await query.edit_message_text(
        t(context.lang, "report.kind_chosen", kind=t(context.lang, f"cases.kinds.{kind.value}"))
    )
    assert update.effective_chat is not None
    await context.bot.send_message(
        update.effective_chat.id, t(context.lang, f"report.ask_subject_{kind.value}")
    )
    return SUBJECT


async def kind_expected(update: Update, context: BotContext) -> int:
    """Text while the kind buttons are showing: ask again."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        t(context.lang, "report.use_buttons"), reply_markup=_kind_keyboard(context)
    )
    return KIND


async def subject(update: Update, context: BotContext) -> int:
    """Remember the subject (something visible, control characters removed); ask where."""
    assert update.effective_message is not None and update.effective_message.text is not None
    try:
        text = check_subject(update.effective_message.text)
    except UserError as exc:
        await update.effective_message.reply_text(t(context.lang, exc.key, **exc.values))
        return SUBJECT
    draft = _draft(context)
    draft.subject = text
    _save(context, draft)
    key = "report.ask_where_service" if draft.kind == CaseKind.SERVICE else "report.ask_where"
    await update.effective_message.reply_text(t(context.lang, key))
    return WHERE


async def where(update: Update, context: BotContext) -> int:
    """Remember where it was seen; ask for the description."""
    assert update.effective_message is not None and update.effective_message.text is not None
    location = check_location(update.effective_message.text)
    if location is None:  # nothing visible: as /skip
        return await skip_where(update, context)
    draft = _draft(context)
    draft.location = location
    _save(context, draft)
    await update.effective_message.reply_text(t(context.lang, "report.ask_description"))
    return DESCRIPTION


async def skip_where(update: Update, context: BotContext) -> int:
    """/skip at the place step: allowed for service complaints only."""
    assert update.effective_message is not None
    draft = _draft(context)
    if draft.kind != CaseKind.SERVICE:
        await update.effective_message.reply_text(t(context.lang, "report.where_required"))
        return WHERE
    await update.effective_message.reply_text(t(context.lang, "report.ask_description"))
    return DESCRIPTION


async def description(update: Update, context: BotContext) -> int:
    """Check and remember the description; ask for files."""
    assert update.effective_message is not None and update.effective_message.text is not None
    try:
        text = check_description(update.effective_message.text)
    except UserError as exc:
        await update.effective_message.reply_text(t(context.lang, exc.key, **exc.values))
        return DESCRIPTION
    draft = _draft(context)
    draft.description = text
    _save(context, draft)
    await update.effective_message.reply_text(
        t(context.lang, "report.ask_files", maximum=MAX_FILES, done=_done_label(context)),
        reply_markup=_files_keyboard(context),
    )
    return FILES


def attached(message: Message) -> list[str]:
    """A photo (its largest size) or a document as a draft's file: [kind, file id, name]; a
    UserError for a document a report may not carry."""
    if message.photo:
        largest = max(message.photo, key=lambda p: (p.width * p.height, p.file_size or 0))
        return ["photo", largest.file_id, ""]
    document = message.document
    assert document is not None  # the handler's filter: a photo or a document
    check_attachment(mime_type=document.mime_type, file_name=document.file_name)
    return ["document", document.file_id, document.file_name or ""]


async def file_added(update: Update, context: BotContext) -> int:
    """Keep a photo's largest size or a document by its file id; at most five."""
    message = update.effective_message
    assert message is not None
    draft = _draft(context)
    if len(draft.files) >= MAX_FILES:
        await message.reply_text(
            t(context.lang, "report.too_many_files", maximum=MAX_FILES),
            reply_markup=_files_keyboard(context),
        )
        return FILES
    try:
        draft.files.append(attached(message))
    except UserError as exc:
        await message.reply_text(
            t(context.lang, exc.key, **exc.values), reply_markup=_files_keyboard(context)
        )
        return FILES
    _save(context, draft)
    await message.reply_text(
        t(
            context.lang,
            "report.file_received",
            count=len(draft.files),
            maximum=MAX_FILES,
            done=_done_label(context),
        ),
        reply_markup=_files_keyboard(context),
    )
    return FILES


async def file_expected(update: Update, context: BotContext) -> int:
    """Text where a photo or document is expected: say so and ask again."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        t(context.lang, "report.file_expected", maximum=MAX_FILES, done=_done_label(context)),
        reply_markup=_files_keyboard(context),
    )
    return FILES


async def text_expected(update: Update, context: BotContext) -> int | None:
    """A photo, sticker, voice … where words are expected: say so; the step is asked again."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(t(context.lang, "report.text_expected"))
    return None  # stay in the same step


async def files_done(update: Update, context: BotContext) -> int:
    """Done (button or /skip): ask how to be contacted."""
    if update.callback_query is not None:
        await update.callback_query.answer()
        await update.callback_query.edit_message_reply_markup(None)
    assert update.effective_chat is not None
    lang = context.lang
    await context.bot.send_message(
        update.effective_chat.id,
        t(
            lang,
            "report.ask_contact",
            share=t(lang, "report.contact_share"),
            typed=t(lang, "report.contact_type"),
            anonymous=t(lang, "report.contact_anonymous"),
        ),
        reply_markup=_contact_keyboard(context),
    )
    return CONTACT


async def contact_shared(update: Update, context: BotContext) -> int:
    """A shared Telegram contact: keep its name and phone; show the summary."""
    message = update.effective_message
    assert message is not None and message.contact is not None
    contact = message.contact
    draft = _draft(context)
    draft.anonymous = False
    draft.contact_name = " ".join(filter(None, [contact.first_name, contact.last_name]))[:100]
    draft.contact_phone = contact.phone_number[:40]
    _save(context, draft)
    return await _show_summary(update, context, "report.contact_saved")


async def contact_choice(update: Update, context: BotContext) -> int:
    """The typed choice: type a name and phone, or stay anonymous."""
    message = update.effective_message
    assert message is not None
    if _is_label(message.text or "", "report.contact_type"):
        await message.reply_text(
            t(context.lang, "report.ask_name_phone"), reply_markup=ReplyKeyboardRemove()
        )
        return CONTACT_TYPED
    if _is_label(message.text or "", "report.contact_anonymous"):
        draft = _draft(context)
        draft.anonymous = True
        draft.contact_name = draft.contact_phone = None
        _save(context, draft)
        return await _show_summary(update, context, "report.anonymous_warning")
    await message.reply_text(
        t(context.lang, "report.contact_use_buttons"), reply_markup=_contact_keyboard(context)
    )
    return CONTACT


async def name_phone(update: Update, context: BotContext) -> int:
    """A typed name and phone in one message."""
    message = update.effective_message
    assert message is not None and message.text is not None
    try:
        name, phone = parse_contact(message.text)
    except UserError as exc:
        await message.reply_text(t(context.lang, exc.key, **exc.values))
        return CONTACT_TYPED
    draft = _draft(context)
    draft.anonymous = False
    draft.contact_name, draft.contact_phone = name, phone
    _save(context, draft)
    return await _show_summary(update, context, "report.contact_saved")


async def _show_summary(update: Update, context: BotContext, lead_key: str) -> int:
    assert update.effective_message is not None
    lang = context.lang
    draft = _draft(context)
    await update.effective_message.reply_text(
        t(lang, lead_key), reply_markup=ReplyKeyboardRemove()
    )
    if draft.anonymous:
        contact = t(lang, "report.summary_anonymous")
    else:
        contact = t(
            lang, "report.summary_contact", name=draft.contact_name, phone=draft.contact_phone
        )
    text = t(
        lang,
        "report.summary",
        kind=t(lang, f"cases.kinds.{draft.kind}"),
        subject=draft.subject,
        where=draft.location or "—",
        description=_cut(draft.description, SUMMARY_DESCRIPTION),
        files=len(draft.files),
        contact=Markup(contact),
        submit=t(lang, "report.submit_button"),
    )
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "report.submit_button"), callback_data=f"{PREFIX}:submit"
                ),
                InlineKeyboardButton(
                    t(lang, "report.cancel_button"), callback_data=f"{PREFIX}:cancel"
                ),
            ]
        ]
    )
    await update.effective_message.reply_text(text, reply_markup=keyboard)
    return CONFIRM


async def submit(update: Update, context: BotContext) -> int:
    """Store the case (monitor kind checked again) and give its number."""
    query = update.callback_query
    assert query is not None and context.person is not None and context.user_data is not None
    await query.answer()
    settings = context.services.settings
    try:
        filed = await context.services.db.run(
            submit_report,
            draft=_draft(context),
            person_id=context.person.id,
            roles=context.person.roles,
            language=context.lang,
            received_at=utcnow(),
            tz=settings.tz,
            reply_days=settings.case_reply_days,
            counting=settings.case_day_counting,
            limit_per_hour=settings.case_filing_limit_per_hour,
        )
    except UserError as exc:
        if exc.key == "report.monitor_only":  # the monitor role ended while filing
            draft = _draft(context)
            draft.kind = ""
            _save(context, draft)  # the files stay; the other steps are asked again
            await query.edit_message_text(
                t(context.lang, exc.key, **exc.values), reply_markup=_kind_keyboard(context)
            )
            return KIND
        context.user_data.pop(DRAFT, None)
        await query.edit_message_text(t(context.lang, exc.key, **exc.values))
        return ConversationHandler.END
    context.user_data.pop(DRAFT, None)
    logger.info("case %s filed", filed.number)
    lang = context.lang
    text = t(lang, "report.filed", number=filed.number, due=public_day(filed.due_on, lang))
    await query.edit_message_text(signed(text, settings, lang))
    return ConversationHandler.END


_cancel_report = cancel_handler(
    DRAFT, "report.cancelled", edit_button_message=True, remove_reply_keyboard=True
)


async def cancel(update: Update, context: BotContext) -> int:
    """Leave the report (/cancel or its Cancel button); nothing is stored."""
    return await _cancel_report(update, context)


async def stale_button(update: Update, context: BotContext) -> None:
    """A /report button from an earlier step or an earlier report (sent, cancelled): say so,
    and take the buttons off that message."""
    query = update.callback_query
    assert query is not None and update.effective_chat is not None
    await query.answer()
    with contextlib.suppress(BadRequest):  # already without buttons, or too old to edit
        await query.edit_message_reply_markup(None)
    await context.bot.send_message(update.effective_chat.id, t(context.lang, "report.stale"))


def conversation() -> ConversationHandler[BotContext]:
    """The /report steps, /cancel or the Cancel button at any of them; kept across restarts."""
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    with warnings.catch_warnings():
        # The buttons belong to the conversation's own messages; per-chat tracking is intended.
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=[CommandHandler("report", report)],
            states={
                KIND: [
                    CallbackQueryHandler(kind_chosen, pattern=KIND_DATA),
                    MessageHandler(text, kind_expected),
                ],
                SUBJECT: [MessageHandler(text, subject), MessageHandler(other, text_expected)],
                WHERE: [
                    CommandHandler("skip", skip_where),
                    MessageHandler(text, where),
                    MessageHandler(other, text_expected),
                ],
                DESCRIPTION: [
                    MessageHandler(text, description),
                    MessageHandler(other, text_expected),
                ],
                FILES: [
                    MessageHandler(filters.PHOTO | filters.Document.ALL, file_added),
                    CommandHandler("skip", files_done),
                    CallbackQueryHandler(files_done, pattern=rf"^{PREFIX}:done$"),
                    MessageHandler(text | other, file_expected),
                ],
                CONTACT: [
                    MessageHandler(filters.CONTACT, contact_shared),
                    MessageHandler(text | other, contact_choice),
                ],
                CONTACT_TYPED: [
                    MessageHandler(text, name_phone),
                    MessageHandler(other, text_expected),
                ],
                CONFIRM: [CallbackQueryHandler(submit, pattern=rf"^{PREFIX}:submit$")],
            },
            fallbacks=[
                CommandHandler("cancel", cancel),
                CallbackQueryHandler(cancel, pattern=rf"^{PREFIX}:cancel$"),
            ],
            name="report",
            persistent=True,
            allow_reentry=True,
        )
