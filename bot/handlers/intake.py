"""/intake (secretariat, inspectors, admins): log a case received by phone, letter, e-mail,
walk-in or the website: channel → kind → subject → where → description → date received →
the petitioner's name, phone, address, e-mail (each /skip, or anonymous) → files → preview →
save. One handler a step; a wrong answer is one sentence and the step is asked again with
nothing lost; the draft survives a restart; /cancel leaves at any step."""

from __future__ import annotations

import contextlib
import logging
import re
import warnings
from collections.abc import Callable
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.cases.actions import Refused
from bot.cases.filing import MAX_FILES, check_description, check_location, check_subject
from bot.cases.intake import (
    INTAKE_CHANNELS,
    INTAKE_KINDS,
    IntakeDraft,
    check_address,
    check_email,
    check_name,
    check_phone,
    check_received_on,
    intake_case,
)
from bot.edge.access import STAFF, requires
from bot.edge.contact import public_day
from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import cancel_handler, stale_button_handler
from bot.edge.features import Command, Feature
from bot.handlers.cases.shared import local_today
from bot.handlers.filing.conversation import attached
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.i18n import Markup, t

logger = logging.getLogger(__name__)

PREFIX = "intake"
(
    CHANNEL,
    KIND,
    SUBJECT,
    WHERE,
    DESCRIPTION,
    RECEIVED,
    NAME,
    PHONE,
    ADDRESS,
    EMAIL,
    FILES,
    CONFIRM,
) = range(12)
CHANNEL_DATA = re.compile(rf"^{PREFIX}:ch:({'|'.join(c.value for c in INTAKE_CHANNELS)})$")
KIND_DATA = re.compile(rf"^{PREFIX}:kind:({'|'.join(k.value for k in INTAKE_KINDS)})$")
DRAFT = "intake_draft"
SUMMARY_DESCRIPTION = 1500


def _draft(context: BotContext) -> IntakeDraft:
    assert context.user_data is not None
    return IntakeDraft.from_dict(context.user_data.get(DRAFT))


def _save(context: BotContext, draft: IntakeDraft) -> None:
    assert context.user_data is not None
    context.user_data[DRAFT] = draft.to_dict()


def _button(context: BotContext, key: str, data: str, **values: object) -> InlineKeyboardButton:
    return InlineKeyboardButton(t(context.lang, key, **values), callback_data=f"{PREFIX}:{data}")


def _keyboard(context: BotContext, *buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    """One button a row, then Cancel."""
    rows = [[_button(context, key, data)] for key, data in buttons]
    rows.append([_button(context, "intake.cancel_button", "cancel")])
    return InlineKeyboardMarkup(rows)


def _channels(context: BotContext) -> InlineKeyboardMarkup:
    return _keyboard(
        context, *((f"cases.channels.{c.value}", f"ch:{c.value}") for c in INTAKE_CHANNELS)
    )


def _kinds(context: BotContext) -> InlineKeyboardMarkup:
    return _keyboard(
        context, *((f"cases.kinds.{k.value}", f"kind:{k.value}") for k in INTAKE_KINDS)
    )


async def _say(update: Update, context: BotContext, key: str, **values: object) -> None:
    """Send `key` to the chat (an answer to a message or to a button alike)."""
    assert update.effective_chat is not None
    markup = values.pop("reply_markup", None)
    await context.bot.send_message(
        update.effective_chat.id,
        t(context.lang, key, **values),
        reply_markup=markup,  # type: ignore[arg-type]
    )


async def _error(update: Update, context: BotContext, exc: UserError, state: int) -> int:
    """A wrong answer: one sentence; the step stays, the draft is kept."""
    await _say(update, context, exc.key, **exc.values)
    return state


@requires(*STAFF)
async def intake(update: Update, context: BotContext) -> int:
    """Start logging a case received elsewhere: how did it come?"""
    assert context.user_data is not None
    context.user_data[DRAFT] = IntakeDraft().to_dict()
    await _say(update, context, "intake.ask_channel", reply_markup=_channels(context))
    return CHANNEL


async def _chosen(
    update: Update, context: BotContext, pattern: re.Pattern[str], field: str, catalogue: str
) -> IntakeDraft:
    """A channel or kind button: remember it, show it in the pressed message."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    match = pattern.fullmatch(query.data)
    assert match is not None  # the handler's own pattern
    draft = _draft(context)
    setattr(draft, field, match.group(1))
    _save(context, draft)
    shown = t(context.lang, f"{catalogue}.{match.group(1)}")
    await query.edit_message_text(t(context.lang, f"intake.{field}_chosen", value=shown))
    return draft


async def channel_chosen(update: Update, context: BotContext) -> int:
    """Remember the channel; ask the kind."""
    await _chosen(update, context, CHANNEL_DATA, "channel", "cases.channels")
    await _say(update, context, "intake.ask_kind", reply_markup=_kinds(context))
    return KIND


async def kind_chosen(update: Update, context: BotContext) -> int:
    """Remember the kind; ask the subject."""
    draft = await _chosen(update, context, KIND_DATA, "kind", "cases.kinds")
    await _say(update, context, f"report.ask_subject_{draft.kind}")
    return SUBJECT


async def use_buttons(update: Update, context: BotContext) -> int | None:
    """Text while buttons are showing: say so; the step stays."""
    await _say(update, context, "report.use_buttons")
    return None


async def _take(
    update: Update, context: BotContext, state: int, field: str, check: Callable[[str], str]
) -> int | None:
    """Check a typed answer and keep it in the draft; on a wrong one, say so in one sentence
    and give the step to stay in (the draft as it was)."""
    assert update.effective_message is not None
    try:
        value = check(update.effective_message.text or "")
    except UserError as exc:
        return await _error(update, context, exc, state)
    draft = _draft(context)
    setattr(draft, field, value)
    _save(context, draft)
    return None


async def subject(update: Update, context: BotContext) -> int:
    """Remember the subject; ask where."""
    if (stay := await _take(update, context, SUBJECT, "subject", check_subject)) is not None:
        return stay
    await _say(update, context, "intake.ask_where")
    return WHERE


async def where(update: Update, context: BotContext) -> int:
    """Remember where (or /skip); ask the description."""
    message = update.effective_message
    assert message is not None
    draft = _draft(context)
    skipped = (message.text or "").startswith("/skip")
    draft.location = None if skipped else check_location(message.text or "")
    _save(context, draft)
    await _say(update, context, "report.ask_description")
    return DESCRIPTION


async def description(update: Update, context: BotContext) -> int:
    """Remember the description; ask the received date (today by default)."""
    stay = await _take(update, context, DESCRIPTION, "description", check_description)
    if stay is not None:
        return stay
    today = public_day(local_today(context), context.lang)
    keyboard = _keyboard(context, ("intake.today_button", "today"))
    await _say(update, context, "intake.ask_received", today=today, reply_markup=keyboard)
    return RECEIVED


async def received(update: Update, context: BotContext) -> int:
    """A typed received date (checked), or the Today button; ask the petitioner's name."""
    draft = _draft(context)
    if update.callback_query is not None:
        await update.callback_query.answer()
        with contextlib.suppress(BadRequest):
            await update.callback_query.edit_message_reply_markup(None)
        draft.received_on = local_today(context).isoformat()
    else:
        assert update.effective_message is not None
        try:
            day = check_received_on(update.effective_message.text or "", local_today(context))
        except UserError as exc:
            return await _error(update, context, exc, RECEIVED)
        draft.received_on = day.isoformat()
    _save(context, draft)
    keyboard = _keyboard(context, ("intake.anonymous_button", "anon"))
    await _say(update, context, "intake.ask_name", reply_markup=keyboard)
    return NAME


_PETITIONER = {
    NAME: ("contact_name", check_name, PHONE, "intake.ask_phone"),
    PHONE: ("contact_phone", check_phone, ADDRESS, "intake.ask_address"),
    ADDRESS: ("contact_address", check_address, EMAIL, "intake.ask_email"),
}


async def _petitioner(update: Update, context: BotContext, state: int) -> int:
    """One of the petitioner's fields, typed or /skip; then the next one."""
    message = update.effective_message
    assert message is not None
    if state == EMAIL:
        field, check, following, prompt = "contact_email", check_email, FILES, ""
    else:
        field, check, following, prompt = _PETITIONER[state]
    if not (message.text or "").startswith("/skip"):
        if (stay := await _take(update, context, state, field, check)) is not None:
            return stay
    if following == FILES:
        return await _ask_files(update, context)
    await _say(update, context, prompt)
    return following


async def name(update: Update, context: BotContext) -> int:
    """The petitioner's name, or /skip."""
    return await _petitioner(update, context, NAME)


async def phone(update: Update, context: BotContext) -> int:
    """The petitioner's phone, or /skip."""
    return await _petitioner(update, context, PHONE)


async def address(update: Update, context: BotContext) -> int:
    """The petitioner's postal address, or /skip."""
    return await _petitioner(update, context, ADDRESS)


async def email(update: Update, context: BotContext) -> int:
    """The petitioner's e-mail, or /skip."""
    return await _petitioner(update, context, EMAIL)


async def anonymous(update: Update, context: BotContext) -> int:
    """The Anonymous button: no name, phone, address or e-mail is kept."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    with contextlib.suppress(BadRequest):
        await query.edit_message_reply_markup(None)
    draft = _draft(context)
    draft.anonymous = True
    draft.contact_name = draft.contact_phone = None
    draft.contact_address = draft.contact_email = None
    _save(context, draft)
    return await _ask_files(update, context)


async def _ask_files(update: Update, context: BotContext) -> int:
    keyboard = _keyboard(context, ("report.done_button", "done"))
    done = t(context.lang, "report.done_button")
    await _say(
        update, context, "intake.ask_files", maximum=MAX_FILES, done=done, reply_markup=keyboard
    )
    return FILES


async def file_added(update: Update, context: BotContext) -> int:
    """A scanned letter or a photo, kept by its Telegram file id; at most five."""
    message = update.effective_message
    assert message is not None
    draft = _draft(context)
    if len(draft.files) >= MAX_FILES:
        return await _error(
            update, context, UserError("report.too_many_files", maximum=MAX_FILES), FILES
        )
    try:
        draft.files.append(attached(message))
    except UserError as exc:
        return await _error(update, context, exc, FILES)
    _save(context, draft)
    done = t(context.lang, "report.done_button")
    keyboard = _keyboard(context, ("report.done_button", "done"))
    await _say(
        update,
        context,
        "report.file_received",
        count=len(draft.files),
        maximum=MAX_FILES,
        done=done,
        reply_markup=keyboard,
    )
    return FILES


async def file_expected(update: Update, context: BotContext) -> int:
    """Text where a file is expected."""
    done = t(context.lang, "report.done_button")
    await _say(update, context, "report.file_expected", maximum=MAX_FILES, done=done)
    return FILES


async def files_done(update: Update, context: BotContext) -> int:
    """Done (button or /skip): the preview with Save and Cancel."""
    if update.callback_query is not None:
        await update.callback_query.answer()
        with contextlib.suppress(BadRequest):
            await update.callback_query.edit_message_reply_markup(None)
    lang = context.lang
    draft = _draft(context)
    if draft.anonymous:
        who = t(lang, "intake.summary_anonymous")
    else:
        who = t(
            lang,
            "intake.summary_petitioner",
            name=draft.contact_name or "—",
            phone=draft.contact_phone or "—",
            address=draft.contact_address or "—",
            email=draft.contact_email or "—",
        )
    description = draft.description
    if len(description) > SUMMARY_DESCRIPTION:
        description = description[: SUMMARY_DESCRIPTION - 1] + "…"
    keyboard = InlineKeyboardMarkup(
        [
            [
                _button(context, "intake.save_button", "save"),
                _button(context, "intake.cancel_button", "cancel"),
            ]
        ]
    )
    await _say(
        update,
        context,
        "intake.summary",
        channel=t(lang, f"cases.channels.{draft.channel}"),
        kind=t(lang, f"cases.kinds.{draft.kind}"),
        subject=draft.subject,
        where=draft.location or "—",
        description=description,
        received=public_day(date.fromisoformat(draft.received_on), lang),
        petitioner=Markup(who),
        files=len(draft.files),
        reply_markup=keyboard,
    )
    return CONFIRM


@requires(*STAFF)
async def save(update: Update, context: BotContext) -> int:
    """Save: number, route to the secretariat, audit; say the number and the deadline."""
    query = update.callback_query
    assert query is not None and context.person is not None and context.user_data is not None
    await query.answer()
    settings = context.services.settings
    try:
        logged = await context.services.db.run(
            intake_case,
            draft=_draft(context),
            actor=context.person,
            now=utcnow(),
            tz=settings.tz,
            reply_days=settings.case_reply_days,
            counting=settings.case_day_counting,
        )
    except UserError as exc:
        logged = Refused(exc)
    context.user_data.pop(DRAFT, None)
    lang = context.lang
    if isinstance(logged, Refused):
        await query.edit_message_text(t(lang, logged.error.key, **logged.error.values))
        return ConversationHandler.END
    logger.info("case %s logged by intake", logged.number)
    await query.edit_message_text(
        t(
            lang,
            "intake.saved",
            number=logged.number,
            received=public_day(logged.received_on, lang),
            due=public_day(logged.due_on, lang),
        )
    )
    return ConversationHandler.END


_cancel = cancel_handler(DRAFT, "intake.cancelled", edit_button_message=True)


async def cancel(update: Update, context: BotContext) -> int:
    """Leave /intake (/cancel or its Cancel button); nothing is stored."""
    return await _cancel(update, context)


stale_button = stale_button_handler("intake.stale", remove_buttons=True)
"""An /intake button of an ended or earlier step: say so, change nothing."""


def conversation() -> ConversationHandler[BotContext]:
    """The /intake steps with /cancel at any of them; kept across restarts."""
    text = filters.TEXT & ~filters.COMMAND
    other = ~filters.TEXT & ~filters.COMMAND & ~filters.StatusUpdate.ALL
    with warnings.catch_warnings():
        # The buttons belong to the conversation's own messages; per-chat tracking is intended.
        warnings.simplefilter("ignore", PTBUserWarning)
        return ConversationHandler(
            entry_points=[CommandHandler("intake", intake)],
            states={
                CHANNEL: [
                    CallbackQueryHandler(channel_chosen, pattern=CHANNEL_DATA),
                    MessageHandler(text | other, use_buttons),
                ],
                KIND: [
                    CallbackQueryHandler(kind_chosen, pattern=KIND_DATA),
                    MessageHandler(text | other, use_buttons),
                ],
                SUBJECT: [MessageHandler(text, subject)],
                WHERE: [CommandHandler("skip", where), MessageHandler(text, where)],
                DESCRIPTION: [MessageHandler(text, description)],
                RECEIVED: [
                    CallbackQueryHandler(received, pattern=rf"^{PREFIX}:today$"),
                    CommandHandler("skip", received_today),
                    MessageHandler(text, received),
                ],
                NAME: [
                    CallbackQueryHandler(anonymous, pattern=rf"^{PREFIX}:anon$"),
                    CommandHandler("skip", name),
                    MessageHandler(text, name),
                ],
                PHONE: [CommandHandler("skip", phone), MessageHandler(text, phone)],
                ADDRESS: [CommandHandler("skip", address), MessageHandler(text, address)],
                EMAIL: [CommandHandler("skip", email), MessageHandler(text, email)],
                FILES: [
                    MessageHandler(filters.PHOTO | filters.Document.ALL, file_added),
                    CommandHandler("skip", files_done),
                    CallbackQueryHandler(files_done, pattern=rf"^{PREFIX}:done$"),
                    MessageHandler(text | other, file_expected),
                ],
                CONFIRM: [CallbackQueryHandler(save, pattern=rf"^{PREFIX}:save$")],
            },
            fallbacks=[
                CommandHandler("cancel", cancel),
                CallbackQueryHandler(cancel, pattern=rf"^{PREFIX}:cancel$"),
                MessageHandler(other, text_expected),
            ],
            name="intake",
            persistent=True,
            allow_reentry=True,
        )


async def received_today(update: Update, context: BotContext) -> int:
    """/skip at the date step: received today."""
    draft = _draft(context)
    draft.received_on = local_today(context).isoformat()
    _save(context, draft)
    keyboard = _keyboard(context, ("intake.anonymous_button", "anon"))
    await _say(update, context, "intake.ask_name", reply_markup=keyboard)
    return NAME


async def text_expected(update: Update, context: BotContext) -> int | None:
    """A photo, sticker … where words are expected: say so; the step stays."""
    await _say(update, context, "report.text_expected")
    return None


def register(app: BotApplication) -> None:
    app.add_handler(conversation())
    # Last: any other intake button belongs to an ended or earlier step.
    app.add_handler(CallbackQueryHandler(stale_button, pattern=rf"^{PREFIX}:"))


FEATURE = Feature(
    name="intake",
    callback_prefixes=(PREFIX,),
    register=register,
    commands=(Command("intake", STAFF),),
)
