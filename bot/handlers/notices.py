"""Staff: the /notice conversation (categories and/or an uploaded list of 統一編號, title,
body, attachment, preview, send or schedule), and the feature's commands: /notice and /notices
(whose list is `notice_overview.py`)."""

from __future__ import annotations

import logging
import warnings
from datetime import datetime

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
from bot.edge.context import BotApplication, BotContext, Services
from bot.edge.conversations import cancel_handler, stale_button_handler
from bot.edge.features import Command, Feature
from bot.handlers import notice_overview
from bot.notices.drafts import (
    TIME_ERRORS,
    NoticeDraft,
    pick_categories,
    preview_draft,
    publish_draft,
)
from bot.notices.publishing import (
    BODY_LIMIT,
    Published,
    check_attachment_size,
    clean_title,
    without_controls,
)
from bot.notices.subscriptions import CategoryChoice
from bot.notices.targeting import LIST_BYTES, BadList, read_list_upload
from kernel.errors import UserError
from kernel.i18n import t

logger = logging.getLogger(__name__)

NOTICE = "notice"  # notice:c:<id>, notice:list, notice:next, notice:send, notice:schedule,
# notice:archive, notice:cancel
DRAFT = "notice"  # the draft's key in user data
PICK, TITLE, BODY, ATTACH, CONFIRM, WHEN, LIST = range(7)
SHOWN_PROBLEMS = 20
"""Invalid numbers of an uploaded list named one by one in chat; past these, only the count."""


def _draft(context: BotContext) -> NoticeDraft:
    assert context.user_data is not None
    return NoticeDraft.from_dict(context.user_data.get(DRAFT))


def _save(context: BotContext, draft: NoticeDraft) -> None:
    assert context.user_data is not None
    context.user_data[DRAFT] = draft.to_dict()


def _drop(context: BotContext) -> None:
    assert context.user_data is not None
    context.user_data.pop(DRAFT, None)


def pick_keyboard(
    categories: list[CategoryChoice], chosen: list[int], lang: str
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                ("✅ " if c.id in chosen else "▫️ ") + c.name,
                callback_data=f"{NOTICE}:c:{c.id}",
            )
        ]
        for c in categories
    ]
    rows.append(
        [InlineKeyboardButton(t(lang, "targeting.list_button"), callback_data=f"{NOTICE}:list")]
    )
    rows.append(
        [
            InlineKeyboardButton(t(lang, "notice.next_button"), callback_data=f"{NOTICE}:next"),
            InlineKeyboardButton(
                t(lang, "notice.cancel_button"), callback_data=f"{NOTICE}:cancel"
            ),
        ]
    )
    return InlineKeyboardMarkup(rows)


def confirm_keyboard(lang: str, draft: NoticeDraft) -> InlineKeyboardMarkup:
    """Send, schedule, cancel; and for a notice to categories alone, the archive choice (the
    button shows the current one; pressing it switches)."""
    rows = [
        [
            InlineKeyboardButton(t(lang, "notice.send_button"), callback_data=f"{NOTICE}:send"),
            InlineKeyboardButton(
                t(lang, "notice.schedule_button"), callback_data=f"{NOTICE}:schedule"
            ),
        ],
        [InlineKeyboardButton(t(lang, "notice.cancel_button"), callback_data=f"{NOTICE}:cancel")],
    ]
    if draft.archivable:
        label = t(lang, "archive.on_button" if draft.archive else "archive.off_button")
        rows.insert(1, [InlineKeyboardButton(label, callback_data=f"{NOTICE}:archive")])
    return InlineKeyboardMarkup(rows)


@requires(*STAFF)
async def notice_start(update: Update, context: BotContext) -> int:
    """Begin a notice: choose its categories."""
    assert update.effective_message is not None
    draft = NoticeDraft()
    _save(context, draft)
    pick = await context.services.db.run(pick_categories, chosen=[], language=context.lang)
    await update.effective_message.reply_text(
        t(context.lang, "notice.pick", count=pick.recipients)
        + "\n"
        + t(context.lang, "targeting.ask_list"),
        reply_markup=pick_keyboard(pick.categories, pick.chosen, context.lang),
    )
    return PICK


@requires(*STAFF)
async def notice_pick(update: Update, context: BotContext) -> int:
    """Toggle a category, or go on to the title once at least one is chosen."""
    query = update.callback_query
    assert query is not None and query.data is not None
    draft = _draft(context)
    parts = query.data.split(":")
    if parts[1] == "list":
        await query.answer()
        assert update.effective_message is not None
        await update.effective_message.reply_text(t(context.lang, "targeting.send_list"))
        return LIST
    if parts[1] == "next":
        if not draft.category_ids and not draft.tax_ids:
            await query.answer(t(context.lang, "notice.pick_one"), show_alert=True)
            return PICK
        await query.answer()
        await query.edit_message_reply_markup(None)
        assert update.effective_message is not None
        await update.effective_message.reply_text(t(context.lang, "notice.ask_title"))
        return TITLE
    await query.answer()
    if parts[1] == "c" and len(parts) == 3 and parts[2].isascii() and parts[2].isdigit():
        draft.toggle(int(parts[2]))
    pick = await context.services.db.run(
        pick_categories, chosen=draft.category_ids, language=context.lang
    )
    draft.category_ids = pick.chosen
    _save(context, draft)
    await query.edit_message_text(
        t(context.lang, "notice.pick", count=pick.recipients),
        reply_markup=pick_keyboard(pick.categories, pick.chosen, context.lang),
    )
    return PICK


@requires(*STAFF)
async def notice_list_file(update: Update, context: BotContext) -> int:
    """Read an uploaded list of 統一編號: refuse it naming each invalid line, or keep its
    numbers in the draft, say how far they reach and offer the categories again."""
    message = update.effective_message
    assert message is not None and message.document is not None
    document = message.document
    lang = context.lang
    try:
        if document.file_size is not None and document.file_size > LIST_BYTES:
            raise UserError("files.too_large", path=document.file_name or "", mb=1)
        data = bytes(await (await document.get_file()).download_as_bytearray())
        listed = await context.services.db.run(
            read_list_upload, data=data, name=document.file_name or "list"
        )
    except BadList as error:
        lines = [
            t(lang, "registry.problem_line", line=p.line, problem=t(lang, p.key, **p.values))
            for p in error.problems[:SHOWN_PROBLEMS]
        ]
        if len(error.problems) > SHOWN_PROBLEMS:
            lines.append(
                t(lang, "registry.more_problems", count=len(error.problems) - SHOWN_PROBLEMS)
            )
        await message.reply_text("\n".join([t(lang, error.key, **error.values), *lines]))
        return LIST
    except UserError as exc:
        await message.reply_text(t(lang, exc.key, **exc.values))
        return LIST
    draft = _draft(context)
    draft.tax_ids = listed.tax_ids
    _save(context, draft)
    found = listed.reach
    pick = await context.services.db.run(pick_categories, chosen=draft.category_ids, language=lang)
    await message.reply_text(
        t(
            lang,
            "targeting.list_received",
            count=found.count,
            linked=found.linked,
            chats=found.chats,
            unreached=len(found.unreached),
        ),
        reply_markup=pick_keyboard(pick.categories, pick.chosen, lang),
    )
    return PICK


async def notice_list_not_file(update: Update, context: BotContext) -> None:
    """A text where the list file was expected."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(t(context.lang, "targeting.list_not_file"))


@requires(*STAFF)
async def notice_title(update: Update, context: BotContext) -> int:
    """Take the title and ask for the body."""
    message = update.effective_message
    assert message is not None and message.text is not None
    try:
        title = clean_title(message.text)
    except UserError as exc:
        await message.reply_text(t(context.lang, exc.key, **exc.values))
        return TITLE
    draft = _draft(context)
    draft.title = title
    _save(context, draft)
    await message.reply_text(t(context.lang, "notice.ask_body"))
    return BODY


@requires(*STAFF)
async def notice_body(update: Update, context: BotContext) -> int:
    """Take the body and offer an attachment."""
    message = update.effective_message
    assert message is not None and message.text is not None
    body = without_controls(message.text).strip()
    if len(body) > BODY_LIMIT:
        await message.reply_text(
            t(context.lang, "notices.body_too_long", limit=BODY_LIMIT, length=len(body))
        )
        return BODY
    draft = _draft(context)
    draft.body = body
    _save(context, draft)
    await message.reply_text(t(context.lang, "notice.ask_attachment"))
    return ATTACH


@requires(*STAFF)
async def notice_attachment(update: Update, context: BotContext) -> int:
    """Keep the document's file id (checked against Telegram's size limit), then preview."""
    message = update.effective_message
    assert message is not None and message.document is not None
    try:
        check_attachment_size(message.document.file_size)
    except UserError as exc:
        await message.reply_text(t(context.lang, exc.key, **exc.values))
        return ATTACH
    draft = _draft(context)
    draft.attach(message.document.file_id, message.document.file_name)
    _save(context, draft)
    return await _preview(update, context, draft)


@requires(*STAFF)
async def notice_skip_attachment(update: Update, context: BotContext) -> int:
    """No attachment: preview."""
    draft = _draft(context)
    draft.detach()
    _save(context, draft)
    return await _preview(update, context, draft)


async def _preview(update: Update, context: BotContext, draft: NoticeDraft) -> int:
    """The notice exactly as subscribers will get it, the recipient count, and the choices."""
    message = update.effective_message
    assert message is not None
    try:
        preview = await context.services.db.run(
            preview_draft,
            draft=draft,
            language=context.lang,
            default_language=context.services.settings.default_language,
        )
    except UserError as exc:
        await message.reply_text(t(context.lang, exc.key, **exc.values))
        return BODY
    for copy in preview.copies:
        if copy.language == context.lang:
            await message.reply_text(t(context.lang, "notice.preview_header"))
        else:
            await message.reply_text(
                t(
                    context.lang,
                    "notice.preview_other",
                    count=copy.recipients,
                    language=t(context.lang, f"notice.language_{copy.language[:2]}"),
                )
            )
        for part in copy.messages:
            await message.reply_text(part)
    if draft.attachment_file_id:
        await message.reply_document(draft.attachment_file_id)
    parts = preview.copies[0].messages
    confirm = t(context.lang, "notice.confirm", count=preview.recipients, parts=len(parts))
    if preview.email_now or preview.email_digest:
        confirm += "\n" + t(
            context.lang,
            "notice.email_recipients",
            now=preview.email_now,
            digest=preview.email_digest,
        )
    if draft.tax_ids:
        confirm += "\n" + t(context.lang, "targeting.unreached", count=preview.unreached)
    confirm += "\n" + t(context.lang, "archive.hint" if draft.archivable else "archive.never")
    await message.reply_text(confirm, reply_markup=confirm_keyboard(context.lang, draft))
    return CONFIRM


@requires(*STAFF)
async def notice_archive(update: Update, context: BotContext) -> int:
    """Switch the draft between the public pages and not; the button shows the new choice."""
    query = update.callback_query
    assert query is not None
    await query.answer()
    draft = _draft(context)
    draft.archive = not draft.archive
    _save(context, draft)
    await query.edit_message_reply_markup(confirm_keyboard(context.lang, draft))
    return CONFIRM


async def _publish(update: Update, context: BotContext, at: datetime | None) -> Published | str:
    """Publish the draft with its audit row; on a refusal say why and return its key."""
    assert context.person is not None and update.effective_message is not None
    user = update.effective_user
    try:
        published = await context.services.db.run(
            publish_draft,
            draft=_draft(context),
            created_by_id=context.person.id,
            actor_telegram_id=user.id if user else None,
            at=at,
        )
    except UserError as exc:
        await update.effective_message.reply_text(t(context.lang, exc.key, **exc.values))
        return exc.key
    _drop(context)
    return published


@requires(*STAFF)
async def notice_confirm(update: Update, context: BotContext) -> int:
    """Send now, or ask for a time."""
    query = update.callback_query
    assert query is not None and query.data is not None
    await query.answer()
    action = query.data.split(":")[1]
    await query.edit_message_reply_markup(None)
    assert update.effective_message is not None
    if action == "schedule":
        await update.effective_message.reply_text(
            t(context.lang, "notice.ask_when", timezone=context.services.settings.timezone)
        )
        return WHEN
    published = await _publish(update, context, None)
    if isinstance(published, str):
        return ConversationHandler.END
    await update.effective_message.reply_text(
        t(
            context.lang,
            "notice.released",
            notice_id=published.notice_id,
            count=published.recipients,
        )
    )
    return ConversationHandler.END


def parse_when(text: str, services: Services) -> datetime:
    """`2026-12-01 09:30` in the branch's time zone."""
    try:
        naive = datetime.strptime(" ".join(text.split()), "%Y-%m-%d %H:%M")  # noqa: DTZ007
    except ValueError:
        raise UserError("notice.bad_when") from None
    return naive.replace(tzinfo=services.tz)


@requires(*STAFF)
async def notice_when(update: Update, context: BotContext) -> int:
    """Schedule for the given local time."""
    message = update.effective_message
    assert message is not None and message.text is not None
    try:
        at = parse_when(message.text, context.services)
    except UserError as exc:
        await message.reply_text(t(context.lang, exc.key, **exc.values))
        return WHEN
    published = await _publish(update, context, at)
    if isinstance(published, str):
        if published in TIME_ERRORS:
            return WHEN
        _drop(context)
        await message.reply_text(t(context.lang, "notice.cancelled"))
        return ConversationHandler.END
    local = published.scheduled_at.astimezone(context.services.tz)
    when = f"{public_day(local.date(), context.lang)} {local:%H:%M}"
    key = "notice.released" if published.released else "notice.scheduled"
    await message.reply_text(
        t(context.lang, key, notice_id=published.notice_id, count=published.recipients, when=when)
    )
    return ConversationHandler.END


_cancel = cancel_handler(DRAFT, "notice.cancelled")
_answer_stale = stale_button_handler("notice.stale")


async def notice_cancel(update: Update, context: BotContext) -> int:
    """Drop the draft; nothing is sent."""
    return await _cancel(update, context)


@requires(*STAFF)
async def notice_stale(update: Update, context: BotContext) -> None:
    """A button of a draft that is no longer open, or data none of ours has."""
    query = update.callback_query
    logger.info("stale or unknown notice button %r", (query.data or "")[:64] if query else "")
    await _answer_stale(update, context)


async def notice_prompt_again(update: Update, context: BotContext) -> None:
    """Anything unexpected inside the conversation: say what is expected."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(t(context.lang, "notice.unexpected"))


def register(app: BotApplication) -> None:
    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # Buttons are tracked per chat and user on purpose: one draft per staff member.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        conversation = ConversationHandler(
            entry_points=[CommandHandler("notice", notice_start)],
            states={
                PICK: [
                    CallbackQueryHandler(
                        notice_pick, pattern=rf"^{NOTICE}:(c:[0-9]{{1,9}}|list|next)$"
                    )
                ],
                LIST: [
                    MessageHandler(filters.Document.ALL, notice_list_file),
                    MessageHandler(text, notice_list_not_file),
                ],
                TITLE: [MessageHandler(text, notice_title)],
                BODY: [MessageHandler(text, notice_body)],
                ATTACH: [
                    MessageHandler(filters.Document.ALL, notice_attachment),
                    CommandHandler("skip", notice_skip_attachment),
                ],
                CONFIRM: [
                    CallbackQueryHandler(notice_confirm, pattern=rf"^{NOTICE}:(send|schedule)$"),
                    CallbackQueryHandler(notice_archive, pattern=rf"^{NOTICE}:archive$"),
                ],
                WHEN: [MessageHandler(text, notice_when)],
            },
            fallbacks=[
                CommandHandler("cancel", notice_cancel),
                CallbackQueryHandler(notice_cancel, pattern=rf"^{NOTICE}:cancel$"),
                MessageHandler(filters.ALL & ~filters.COMMAND, notice_prompt_again),
            ],
            name="notice",
            allow_reentry=True,
        )
    app.add_handler(conversation)
    app.add_handler(CallbackQueryHandler(notice_stale, pattern=rf"^{NOTICE}:"))
    notice_overview.register(app)


FEATURE = Feature(
    name="notices",
    callback_prefixes=(NOTICE, notice_overview.REPORT),
    register=register,
    commands=(
        Command("notice", STAFF),
        Command("notices", STAFF),
    ),
)
