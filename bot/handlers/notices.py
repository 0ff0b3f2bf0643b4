"""Staff: the /notice conversation, /notices progress, the admin /categories view; the delivery
worker starts and stops with the application."""

from __future__ import annotations

import logging
import warnings
from datetime import datetime

from babel.dates import format_datetime
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot import notices
from bot.edge.access import ADMIN, STAFF, audit, requires
from bot.edge.context import BotApplication, BotContext, Services
from bot.edge.features import Command, Feature, roles
from bot.handlers.subscriptions import unchanged_is_fine
from kernel.errors import UserError
from kernel.i18n import t
from storage.models import Role
from storage.queries import notices as q

logger = logging.getLogger(__name__)


def _data(context: BotContext) -> dict:
    """This person's conversation scratch space (always present for a user's update)."""
    assert context.user_data is not None
    return context.user_data


NOTICE = "notice"  # notice:c:<id>, notice:next, notice:send, notice:schedule, notice:cancel
CATEGORY = "ncat"  # ncat:retire:<id> asks, ncat:yes:<id> retires, ncat:no keeps
PICK, TITLE, BODY, ATTACH, CONFIRM, WHEN = range(6)


def babel_locale(language: str) -> str:
    return "zh_Hant_TW" if language == "zh-TW" else "en_GB"


def _draft(context: BotContext) -> dict:
    draft: dict = _data(context).setdefault("notice", {"category_ids": []})
    return draft


def pick_keyboard(
    categories: list[notices.CategoryChoice], chosen: list[int], lang: str
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
        [
            InlineKeyboardButton(t(lang, "notice.next_button"), callback_data=f"{NOTICE}:next"),
            InlineKeyboardButton(
                t(lang, "notice.cancel_button"), callback_data=f"{NOTICE}:cancel"
            ),
        ]
    )
    return InlineKeyboardMarkup(rows)


async def _active_categories(context: BotContext) -> list[notices.CategoryChoice]:
    categories = await context.services.db.run(q.fetch_categories)
    return [
        notices.CategoryChoice(c.id or 0, c.code, notices.category_name(c, context.lang), False)
        for c in categories
    ]


async def _pick_text(context: BotContext, chosen: list[int]) -> str:
    count = await context.services.db.run(q.count_recipients, category_ids=chosen)
    return t(context.lang, "notice.pick", count=count)


@requires(*STAFF)
async def notice_start(update: Update, context: BotContext) -> int:
    """Begin a notice: choose its categories."""
    assert update.effective_message is not None
    _data(context)["notice"] = {"category_ids": []}
    categories = await _active_categories(context)
    await update.effective_message.reply_text(
        await _pick_text(context, []), reply_markup=pick_keyboard(categories, [], context.lang)
    )
    return PICK


@requires(*STAFF)
async def notice_pick(update: Update, context: BotContext) -> int:
    """Toggle a category, or go on to the title once at least one is chosen."""
    query = update.callback_query
    assert query is not None and query.data is not None
    draft = _draft(context)
    chosen: list[int] = draft["category_ids"]
    parts = query.data.split(":")
    if parts[1] == "next":
        if not chosen:
            await query.answer(t(context.lang, "notice.pick_one"), show_alert=True)
            return PICK
        await query.answer()
        await query.edit_message_reply_markup(None)
        assert update.effective_message is not None
        await update.effective_message.reply_text(t(context.lang, "notice.ask_title"))
        return TITLE
    await query.answer()
    if parts[1] == "c" and len(parts) > 2 and parts[2].isdigit():
        category_id = int(parts[2])
        if category_id in chosen:
            chosen.remove(category_id)
        else:
            chosen.append(category_id)
    categories = await _active_categories(context)
    active = {c.id for c in categories}
    draft["category_ids"] = [c for c in chosen if c in active]
    await query.edit_message_text(
        await _pick_text(context, draft["category_ids"]),
        reply_markup=pick_keyboard(categories, draft["category_ids"], context.lang),
    )
    return PICK


@requires(*STAFF)
async def notice_title(update: Update, context: BotContext) -> int:
    """Take the title and ask for the body."""
    message = update.effective_message
    assert message is not None and message.text is not None
    title = " ".join(message.text.split())
    if not title:
        await message.reply_text(t(context.lang, "notices.empty_title"))
        return TITLE
    if len(title) > notices.TITLE_LIMIT:
        await message.reply_text(
            t(context.lang, "notices.title_too_long", limit=notices.TITLE_LIMIT)
        )
        return TITLE
    _draft(context)["title"] = title
    await message.reply_text(t(context.lang, "notice.ask_body"))
    return BODY


@requires(*STAFF)
async def notice_body(update: Update, context: BotContext) -> int:
    """Take the body and offer an attachment."""
    message = update.effective_message
    assert message is not None and message.text is not None
    body = message.text.strip()
    if len(body) > notices.BODY_LIMIT:
        await message.reply_text(
            t(context.lang, "notices.body_too_long", limit=notices.BODY_LIMIT, length=len(body))
        )
        return BODY
    _draft(context)["body"] = body
    await message.reply_text(t(context.lang, "notice.ask_attachment"))
    return ATTACH


@requires(*STAFF)
async def notice_attachment(update: Update, context: BotContext) -> int:
    """Keep the document's file id (checked against Telegram's size limit), then preview."""
    message = update.effective_message
    assert message is not None and message.document is not None
    try:
        notices.check_attachment_size(message.document.file_size)
    except UserError as exc:
        await message.reply_text(t(context.lang, exc.key, **exc.values))
        return ATTACH
    draft = _draft(context)
    draft["attachment_file_id"] = message.document.file_id
    draft["attachment_name"] = message.document.file_name or "attachment"
    return await _preview(update, context)


@requires(*STAFF)
async def notice_skip_attachment(update: Update, context: BotContext) -> int:
    """No attachment: preview."""
    draft = _draft(context)
    draft.pop("attachment_file_id", None)
    draft.pop("attachment_name", None)
    return await _preview(update, context)


async def _preview(update: Update, context: BotContext) -> int:
    """The notice exactly as subscribers will get it, the recipient count, and the choices."""
    message = update.effective_message
    assert message is not None
    draft = _draft(context)
    db = context.services.db
    categories = [c for c in await db.run(q.fetch_categories) if c.id in draft["category_ids"]]
    by_language = await db.run(
        q.count_recipients_by_language,
        category_ids=draft["category_ids"],
        default_language=context.services.settings.default_language,
    )
    # the staff member's own language first, then each other language some recipients read
    languages = [context.lang] + [lang for lang in sorted(by_language) if lang != context.lang]
    try:
        rendered = [
            notices.render_notice(
                language=language,
                title=draft["title"],
                body=draft["body"],
                category_names=[notices.category_name(c, language) for c in categories],
                attachment_name=draft.get("attachment_name"),
            )
            for language in languages
        ]
    except UserError as exc:
        await message.reply_text(t(context.lang, exc.key, **exc.values))
        return BODY
    for language, parts in zip(languages, rendered, strict=True):
        if language == context.lang:
            await message.reply_text(t(context.lang, "notice.preview_header"))
        else:
            await message.reply_text(
                t(
                    context.lang,
                    "notice.preview_other",
                    count=by_language[language],
                    language=t(context.lang, f"notice.language_{language[:2]}"),
                )
            )
        for part in parts:
            await message.reply_text(part)
    if draft.get("attachment_file_id"):
        await message.reply_document(draft["attachment_file_id"])
    parts = rendered[0]
    count = sum(by_language.values())
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(context.lang, "notice.send_button"), callback_data=f"{NOTICE}:send"
                ),
                InlineKeyboardButton(
                    t(context.lang, "notice.schedule_button"), callback_data=f"{NOTICE}:schedule"
                ),
            ],
            [
                InlineKeyboardButton(
                    t(context.lang, "notice.cancel_button"), callback_data=f"{NOTICE}:cancel"
                )
            ],
        ]
    )
    await message.reply_text(
        t(context.lang, "notice.confirm", count=count, parts=len(parts)), reply_markup=buttons
    )
    return CONFIRM


TIME_ERRORS = frozenset({"notices.at_past", "notices.at_naive"})
"""Refusals that another time can cure; any other ends the draft (asking again cannot help)."""


async def _publish(
    update: Update, context: BotContext, at: datetime | None
) -> notices.Published | None:
    """Store the draft as a notice; on a refusal say why (the key is kept in `last_error`)."""
    draft = _draft(context)
    assert context.person is not None
    db = context.services.db
    # retired ones too, so a category retired since it was picked is named in the refusal
    everything = await db.run(q.fetch_categories, include_retired=True)
    codes = [c.code for c in everything if c.id in draft["category_ids"]]
    try:
        published = await db.run(
            notices.publish,
            title=draft.get("title", ""),
            body=draft.get("body", ""),
            codes=codes,
            created_by_id=context.person.id,
            at=at,
            attachment_name=draft.get("attachment_name"),
            attachment_file_id=draft.get("attachment_file_id"),
        )
    except UserError as exc:
        assert update.effective_message is not None
        await update.effective_message.reply_text(t(context.lang, exc.key, **exc.values))
        draft["last_error"] = exc.key
        return None
    await audit(
        update,
        context,
        "notice.publish",
        target=str(published.notice_id),
        detail=f"{','.join(codes)} recipients={published.recipients}",
    )
    _data(context).pop("notice", None)
    return published


@requires(*STAFF)
async def notice_confirm(update: Update, context: BotContext) -> int:
    """Send now, ask for a time, or cancel."""
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
    if action != "send":
        return await notice_cancel(update, context)
    published = await _publish(update, context, None)
    if published is None:
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
    if published is None:
        if _draft(context).get("last_error") in TIME_ERRORS:
            return WHEN
        _data(context).pop("notice", None)
        await message.reply_text(t(context.lang, "notice.cancelled"))
        return ConversationHandler.END
    when = format_datetime(
        published.scheduled_at,
        "yyyy-MM-dd HH:mm",
        tzinfo=context.services.tz,
        locale=babel_locale(context.lang),
    )
    key = "notice.released" if published.released else "notice.scheduled"
    await message.reply_text(
        t(context.lang, key, notice_id=published.notice_id, count=published.recipients, when=when)
    )
    return ConversationHandler.END


async def notice_cancel(update: Update, context: BotContext) -> int:
    """Drop the draft."""
    _data(context).pop("notice", None)
    text = t(context.lang, "notice.cancelled")
    if update.callback_query is not None:
        await update.callback_query.answer()
        if update.effective_message is not None:
            await update.effective_message.reply_text(text)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text)
    return ConversationHandler.END


@requires(*STAFF)
async def notice_stale(update: Update, context: BotContext) -> None:
    """A button of a draft that is no longer open."""
    query = update.callback_query
    assert query is not None
    await query.answer(t(context.lang, "notice.stale"), show_alert=True)


async def notice_prompt_again(update: Update, context: BotContext) -> None:
    """Anything unexpected inside the conversation: say what is expected."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(t(context.lang, "notice.unexpected"))


# --- progress ---------------------------------------------------------------------------------


def status_line(status: notices.NoticeStatus, lang: str) -> str:
    counts = status.counts
    percent = 100 if status.total == 0 else round(100 * status.done / status.total)
    return t(
        lang,
        "notices.status_line",
        notice_id=status.notice_id,
        title=status.title,
        state=t(lang, f"notices.states.{status.state}"),
        total=status.total,
        sent=counts["sent"],
        pending=counts["pending"],
        retrying=counts["retrying"],
        blocked=counts["blocked"],
        failed=counts["failed"],
        percent=percent,
    )


@requires(*STAFF)
async def notices_list(update: Update, context: BotContext) -> None:
    """Recent notices with counts by status and progress."""
    assert update.effective_message is not None
    statuses = await context.services.db.run(notices.recent_statuses, limit=10)
    if not statuses:
        await update.effective_message.reply_text(t(context.lang, "notices.none"))
        return
    lines = [t(context.lang, "notices.header")]
    lines += [status_line(s, context.lang) for s in statuses]
    await update.effective_message.reply_text("\n\n".join(lines))


# --- categories (admins) ----------------------------------------------------------------------


async def _categories_view(context: BotContext) -> tuple[str, InlineKeyboardMarkup | None]:
    lang = context.lang
    db = context.services.db
    categories = await db.run(q.fetch_categories, include_retired=True)
    counts = await db.run(q.count_subscribers_by_category)
    lines = [t(lang, "categories.header")]
    buttons = []
    for c in categories:
        key = "categories.retired_line" if c.retired_at else "categories.line"
        lines.append(
            t(
                lang,
                key,
                code=c.code,
                name=notices.category_name(c, lang),
                other=c.name_en if lang == "zh-TW" else c.name_zh,
                count=counts.get(c.id or 0, 0),
                link=f"https://t.me/{context.bot.username}?start=sub-{c.code}",
            )
        )
        if c.retired_at is None:
            buttons.append(
                [
                    InlineKeyboardButton(
                        t(lang, "categories.retire_button", name=notices.category_name(c, lang)),
                        callback_data=f"{CATEGORY}:retire:{c.id}",
                    )
                ]
            )
    lines.append(t(lang, "categories.cli_hint"))
    return "\n".join(lines), InlineKeyboardMarkup(buttons) if buttons else None


@requires(*ADMIN)
async def categories(update: Update, context: BotContext) -> None:
    """Every category with its code, names, subscribers and subscribe link."""
    assert update.effective_message is not None
    text, markup = await _categories_view(context)
    await update.effective_message.reply_text(
        text, reply_markup=markup, disable_web_page_preview=True
    )


@requires(*ADMIN)
async def category_pressed(update: Update, context: BotContext) -> None:
    """Retire a category after a confirmation: no new subscriptions, history kept."""
    query = update.callback_query
    assert query is not None and query.data is not None
    lang = context.lang
    parts = query.data.split(":")
    action = parts[1] if len(parts) > 1 else ""
    db = context.services.db
    found = next((c for c in await db.run(q.fetch_categories) if str(c.id) == parts[-1]), None)
    if action in ("retire", "yes") and found is None:
        await query.answer(t(lang, "subs.stale"), show_alert=True)
    elif action == "retire" and found is not None:
        await query.answer()
        counts = await db.run(q.count_subscribers_by_category)
        confirm = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t(lang, "categories.retire_yes"),
                        callback_data=f"{CATEGORY}:yes:{found.id}",
                    ),
                    InlineKeyboardButton(
                        t(lang, "subs.keep_button"), callback_data=f"{CATEGORY}:no"
                    ),
                ]
            ]
        )
        text = t(
            lang,
            "categories.retire_confirm",
            name=notices.category_name(found, lang),
            code=found.code,
            count=counts.get(found.id or 0, 0),
        )
        with unchanged_is_fine():
            await query.edit_message_text(text, reply_markup=confirm)
        return
    elif action == "yes" and found is not None:
        await query.answer()
        await db.run(notices.retire_category, code=found.code)
        await audit(update, context, "category.retire", target=found.code)
    else:
        await query.answer()
    text, markup = await _categories_view(context)
    with unchanged_is_fine():
        await query.edit_message_text(text, reply_markup=markup, disable_web_page_preview=True)


def register(app: BotApplication) -> None:
    text = filters.TEXT & ~filters.COMMAND
    with warnings.catch_warnings():
        # Buttons are tracked per chat and user on purpose: one draft per staff member.
        warnings.filterwarnings("ignore", category=PTBUserWarning, message=".*per_message.*")
        conversation = ConversationHandler(
            entry_points=[CommandHandler("notice", notice_start)],
            states={
                PICK: [CallbackQueryHandler(notice_pick, pattern=rf"^{NOTICE}:(c:\d+|next)$")],
                TITLE: [MessageHandler(text, notice_title)],
                BODY: [MessageHandler(text, notice_body)],
                ATTACH: [
                    MessageHandler(filters.Document.ALL, notice_attachment),
                    CommandHandler("skip", notice_skip_attachment),
                ],
                CONFIRM: [
                    CallbackQueryHandler(notice_confirm, pattern=rf"^{NOTICE}:(send|schedule)$")
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
    app.add_handler(CommandHandler("notices", notices_list))
    app.add_handler(CommandHandler("categories", categories))
    app.add_handler(CallbackQueryHandler(category_pressed, pattern=rf"^{CATEGORY}:"))


FEATURE = Feature(
    name="notices",
    callback_prefixes=(NOTICE, CATEGORY),
    register=register,
    commands=(
        Command("notice", roles(Role.INSPECTOR, Role.SECRETARIAT, Role.ADMIN)),
        Command("notices", roles(Role.INSPECTOR, Role.SECRETARIAT, Role.ADMIN)),
        Command("categories", roles(Role.ADMIN)),
    ),
)
