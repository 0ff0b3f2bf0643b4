"""/start with deep links, /help, /language, /privacy, /cancel and unknown commands."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.edge import keyboards, waiting
from bot.edge.contact import contact_values
from bot.edge.context import BotApplication, BotContext
from bot.edge.features import Command, Feature
from bot.edge.menus import set_menu_for
from bot.edge.registry import deep_links, visible_commands
from bot.people import invites, profile
from kernel.i18n import Markup, t

logger = logging.getLogger(__name__)


async def load_person(update: Update, context: BotContext) -> None:
    """Load the person behind this update with their current roles: a read, followed by a
    write only on first contact, a changed name or username, or a return after blocking. The
    read's transaction is held for the update's first database call, which continues it."""
    user = update.effective_user
    if user is None or user.is_bot or update.my_chat_member is not None:
        return
    context.telegram_language = user.language_code
    db = context.services.db
    admin_ids = context.services.admin_ids
    person = await db.run_read_held(profile.recognise, telegram_id=user.id, admin_ids=admin_ids)
    if not profile.is_current(person, first_name=user.first_name, username=user.username):
        person = await db.run(
            profile.meet,
            telegram_id=user.id,
            first_name=user.first_name,
            username=user.username,
            admin_ids=admin_ids,
        )
    context.person = person


def help_text(context: BotContext) -> str:
    """The commands this person may use, firms' first, then staff ones."""
    roles = context.person.roles if context.person else frozenset()
    lang = context.lang
    public: list[str] = []
    staff: list[str] = []
    for command in visible_commands(roles):
        line = t(
            lang, "help.line", name=command.name, description=t(lang, command.description_key)
        )
        (public if command.for_firms else staff).append(line)
    parts = [t(lang, "help.header"), *public]
    if staff:
        parts += ["", t(lang, "help.staff_header"), *staff]
    return "\n".join(parts)


async def start(update: Update, context: BotContext) -> None:
    """Welcome the person, or act on a deep-link payload (`join-…`, `sub-…`)."""
    assert update.effective_message is not None
    if context.args:
        payload = context.args[0]
        prefix, _, argument = payload.partition("-")
        handler = deep_links().get(prefix)
        if handler is None or not argument:
            await update.effective_message.reply_text(t(context.lang, "start.unknown_payload"))
            return
        await handler(update, context, argument)
        return
    lang = context.lang
    commands = "\n".join(
        t(lang, "help.line", name=c.name, description=t(lang, c.description_key))
        for c in visible_commands(frozenset())
    )
    user = update.effective_user
    await update.effective_message.reply_text(
        t(lang, "start.welcome", name=user.first_name if user else "", commands=Markup(commands))
    )


async def join(update: Update, context: BotContext, code: str) -> None:
    """Redeem a one-time role invite from a `/start join-<code>` link."""
    assert update.effective_message is not None and context.person is not None
    lang = context.lang
    joined = await context.services.db.run(
        invites.redeem,
        code=code,
        person=context.person,
        language=lang,
        admin_ids=context.services.admin_ids,
    )
    role_name = t(lang, f"roles.names.{joined.role.value}") if joined.role else ""
    unit = t(lang, "join.unit_suffix", unit=joined.unit_name) if joined.unit_name else ""
    await update.effective_message.reply_text(
        t(lang, f"join.{joined.outcome}", role=role_name, unit=Markup(unit))
    )
    if joined.person is not None:
        await set_menu_for(context.bot, joined.person.telegram_id, joined.person.roles, lang)


async def show_help(update: Update, context: BotContext) -> None:
    """List only the commands this person may use."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(help_text(context))


async def language(update: Update, context: BotContext) -> None:
    """Offer zh-TW and English."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        t(context.lang, "language.prompt"), reply_markup=keyboards.language_keyboard(context.lang)
    )


async def language_chosen(update: Update, context: BotContext) -> None:
    """Remember the chosen language and confirm in it."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.person is not None
    await query.answer()
    code = query.data.partition(":")[2]
    chosen = await context.services.db.run(
        profile.choose_language, person_id=context.person.id, language=code
    )
    if not chosen:
        await query.edit_message_text(t(context.lang, "language.stale"))
        return
    await query.edit_message_text(t(code, "language.changed"))
    if context.person.roles:
        await set_menu_for(context.bot, context.person.telegram_id, context.person.roles, code)


async def privacy(update: Update, context: BotContext) -> None:
    """The personal-data notice required by the Personal Data Protection Act, Art. 8."""
    assert update.effective_message is not None
    contact = contact_values(context.services.settings, context.lang)
    await update.effective_message.reply_text(t(context.lang, "privacy.text", **contact))


async def cancel_nothing(update: Update, context: BotContext) -> None:
    """/cancel outside any conversation."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(t(context.lang, "cancel.nothing"))


async def unknown_command(update: Update, context: BotContext) -> None:
    """Point to /help."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(t(context.lang, "unknown.command"))


async def chat_member_changed(update: Update, context: BotContext) -> None:
    """Mark a person blocked the moment they block the bot, and active again on unblock."""
    change = update.my_chat_member
    assert change is not None
    if change.chat.type != "private":
        return
    changed = await context.services.db.run(
        profile.note_chat_member, telegram_id=change.chat.id, status=change.new_chat_member.status
    )
    if changed is not None:
        logger.info("chat %s %s the bot", change.chat.id, changed)


def register(app: BotApplication) -> None:
    """Core handlers; `register_fallbacks` adds the catch-alls after every feature."""
    app.add_handler(TypeHandler(Update, load_person), group=-1)
    app.add_handler(ChatMemberHandler(chat_member_changed, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CommandHandler("help", show_help))
    app.add_handler(CommandHandler("language", language))
    app.add_handler(CallbackQueryHandler(language_chosen, pattern=rf"^{keyboards.LANGUAGE}:"))
    app.add_handler(CommandHandler("privacy", privacy))


def register_fallbacks(app: BotApplication) -> None:
    """Catch-alls, registered last so every feature's handlers match first."""
    app.add_handler(CommandHandler("cancel", cancel_nothing))
    waiting.register(app)
    app.add_handler(MessageHandler(filters.COMMAND, unknown_command))


FEATURE = Feature(
    name="start",
    callback_prefixes=(keyboards.LANGUAGE,),
    register=register,
    commands=(
        Command("start"),
        Command("help"),
        Command("language"),
        Command("privacy"),
        Command("cancel"),
    ),
    deep_links={"join": join},
)
