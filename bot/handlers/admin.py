"""Admins: /invite ROLE [UNIT] creates a one-time link; /roles lists and revokes roles."""

from __future__ import annotations

from babel.dates import format_datetime
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.edge import keyboards
from bot.edge.access import ADMIN, audit, requires
from bot.edge.context import BotApplication, BotContext
from bot.edge.features import Command, Feature, roles
from bot.edge.menus import set_menu_for
from kernel.i18n import Markup, t
from storage.models import Role
from storage.queries.people import (
    create_invite,
    fetch_person_view,
    fetch_role_holders,
    fetch_unit_by_code,
    fetch_units,
    revoke_grant,
)

INVITABLE = (Role.SECRETARIAT, Role.INSPECTOR, Role.MONITOR, Role.ADMIN)


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start=join-{code}"


def babel_locale(language: str) -> str:
    return "zh_Hant_TW" if language == "zh-TW" else "en_GB"


@requires(*ADMIN)
async def invite(update: Update, context: BotContext) -> None:
    """Create a single-use, 72-hour invite for a role (and optionally a unit)."""
    assert update.effective_message is not None and context.person is not None
    lang = context.lang
    db = context.services.db
    units = await db.run(fetch_units)
    unit_codes = ", ".join(u.code for u in units)
    role_names = ", ".join(r.value for r in INVITABLE)
    if not context.args:
        await update.effective_message.reply_text(
            t(lang, "invite.usage", roles=role_names, units=unit_codes)
        )
        return
    try:
        role = Role(context.args[0].lower())
    except ValueError:
        await update.effective_message.reply_text(
            t(lang, "invite.bad_role", role=context.args[0], roles=role_names)
        )
        return
    unit_id, unit_label = None, ""
    if len(context.args) > 1:
        unit = await db.run(fetch_unit_by_code, code=context.args[1])
        if unit is None:
            await update.effective_message.reply_text(
                t(lang, "invite.bad_unit", unit=context.args[1], units=unit_codes)
            )
            return
        unit_id = unit.id
        unit_label = t(lang, "join.unit_suffix", unit=unit.name_in(lang))
    created = await db.run(
        create_invite, role=role, unit_id=unit_id, created_by_id=context.person.id
    )
    await audit(update, context, "invite.create", target=role.value, detail=created.code[:8])
    expires = format_datetime(
        created.expires_at, "medium", tzinfo=context.services.tz, locale=babel_locale(lang)
    )
    await update.effective_message.reply_text(
        t(
            lang,
            "invite.created",
            role=t(lang, f"roles.names.{role.value}"),
            unit=Markup(unit_label),
            link=invite_link(context.bot.username, created.code),
            expires=expires,
        )
    )


async def _roles_text(context: BotContext) -> tuple[str, keyboards.InlineKeyboardMarkup | None]:
    lang = context.lang
    holders = await context.services.db.run(fetch_role_holders)
    if not holders:
        return t(lang, "roles.empty"), None
    lines = [t(lang, "roles.header")]
    for h in holders:
        unit = t(lang, "join.unit_suffix", unit=h.unit_code) if h.unit_code else ""
        lines.append(
            t(
                lang,
                "roles.line",
                role=t(lang, f"roles.names.{h.role.value}"),
                name=h.first_name or h.username or "",
                unit=Markup(unit),
                telegram_id=h.telegram_id,
            )
        )
    return "\n".join(lines), keyboards.revoke_keyboard(lang, holders)


@requires(*ADMIN)
async def list_roles(update: Update, context: BotContext) -> None:
    """Who holds which role, with a revoke button for each."""
    assert update.effective_message is not None
    text, markup = await _roles_text(context)
    await update.effective_message.reply_text(text, reply_markup=markup)


@requires(*ADMIN)
async def revoke(update: Update, context: BotContext) -> None:
    """Revoke one grant and refresh the list."""
    query = update.callback_query
    assert query is not None and query.data is not None and context.person is not None
    await query.answer()
    lang = context.lang
    grant_id = query.data.partition(":")[2]
    holder = None
    if grant_id.isdigit():
        holder = await context.services.db.run(
            revoke_grant, grant_id=int(grant_id), revoked_by_id=context.person.id
        )
    if holder is None:
        await query.answer(t(lang, "roles.gone"), show_alert=True)
        return
    await audit(update, context, "role.revoke", target=str(holder.telegram_id), detail=holder.role)
    remaining = await context.services.db.run(
        fetch_person_view, telegram_id=holder.telegram_id, admin_ids=context.services.admin_ids
    )
    if remaining is not None:
        await set_menu_for(
            context.bot,
            remaining.telegram_id,
            remaining.roles,
            remaining.language or context.services.settings.default_language,
        )
    text, markup = await _roles_text(context)
    done = t(
        lang,
        "roles.revoked",
        name=holder.first_name or holder.username or holder.telegram_id,
        role=t(lang, f"roles.names.{holder.role.value}"),
    )
    await query.edit_message_text(f"{done}\n\n{text}", reply_markup=markup)


def register(app: BotApplication) -> None:
    app.add_handler(CommandHandler("invite", invite))
    app.add_handler(CommandHandler("roles", list_roles))
    app.add_handler(CallbackQueryHandler(revoke, pattern=rf"^{keyboards.REVOKE}:"))


FEATURE = Feature(
    name="admin",
    callback_prefixes=(keyboards.REVOKE,),
    register=register,
    commands=(Command("invite", roles(Role.ADMIN)), Command("roles", roles(Role.ADMIN))),
)
