"""Admins: /invite ROLE [UNIT] creates a one-time link; /roles lists (a page at a time) and
revokes roles."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.edge import callbacks
from bot.edge.access import ADMIN, requires
from bot.edge.contact import public_day
from bot.edge.context import BotApplication, BotContext
from bot.edge.conversations import unchanged_is_fine
from bot.edge.features import Command, Feature
from bot.edge.menus import set_menu_for
from bot.people import invites
from bot.people import roles as role_grants
from bot.people.roles import HoldersPage
from kernel.errors import UserError
from kernel.i18n import Markup, t

ROLES = "roles"  # roles:page:<page>, roles:revoke:<grant id>:<page to show after>


def invite_link(bot_username: str, code: str) -> str:
    return f"https://t.me/{bot_username}?start=join-{code}"


@requires(*ADMIN)
async def invite(update: Update, context: BotContext) -> None:
    """Create a single-use, 72-hour invite for a role (and optionally a unit)."""
    message = update.effective_message
    assert message is not None and context.person is not None
    lang = context.lang
    db = context.services.db
    if not context.args:
        choices = await db.run(invites.invite_choices)
        await message.reply_text(t(lang, "invite.usage", roles=choices.roles, units=choices.units))
        return
    unit_code = context.args[1] if len(context.args) > 1 else None
    try:
        role = invites.invitable_role(context.args[0])
        created = await db.run(
            invites.create, role=role, unit_code=unit_code, by=context.person, language=lang
        )
    except UserError as exc:
        await message.reply_text(t(lang, exc.key, **exc.values))
        return
    unit = ""
    if created.unit_name is not None:
        unit = t(lang, "join.unit_suffix", unit=created.unit_name)
    local = created.expires_at.astimezone(context.services.tz)
    expires = f"{public_day(local.date(), lang)} {local:%H:%M}"
    await message.reply_text(
        t(
            lang,
            "invite.created",
            role=t(lang, f"roles.names.{created.role.value}"),
            unit=Markup(unit),
            link=invite_link(context.bot.username, created.code),
            expires=expires,
        )
    )


def roles_text(lang: str, page: HoldersPage) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the role holders and a revoke button for each."""
    if not page.holders:
        return t(lang, "roles.empty"), None
    lines = [t(lang, "roles.header")]
    for h in page.holders:
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
    if page.pages > 1:
        lines.append(t(lang, "roles.page", page=page.number, pages=page.pages, total=page.total))
    return "\n".join(lines), roles_keyboard(lang, page)


def roles_keyboard(language: str, page: HoldersPage) -> InlineKeyboardMarkup | None:
    """A revoke button per grant on `page` (each says which page to show after it), then ◀ ▶
    when there are other pages."""
    rows = [
        [
            InlineKeyboardButton(
                t(
                    language,
                    "roles.revoke_button",
                    name=h.first_name or h.username or h.telegram_id,
                    role=t(language, f"roles.names.{h.role.value}"),
                ),
                callback_data=f"{ROLES}:revoke:{h.grant_id}:{page.number}",
            )
        ]
        for h in page.holders
    ]
    moves = []
    if page.number > 1:
        moves.append(InlineKeyboardButton("◀", callback_data=f"{ROLES}:page:{page.number - 1}"))
    if page.number < page.pages:
        moves.append(InlineKeyboardButton("▶", callback_data=f"{ROLES}:page:{page.number + 1}"))
    if moves:
        rows.append(moves)
    return InlineKeyboardMarkup(rows) if rows else None


@requires(*ADMIN)
async def list_roles(update: Update, context: BotContext) -> None:
    """Who holds which role, a page at a time, with a revoke button for each."""
    assert update.effective_message is not None
    page = await context.services.db.run(role_grants.holders_page, number=1)
    text, markup = roles_text(context.lang, page)
    await update.effective_message.reply_text(text, reply_markup=markup)


@requires(*ADMIN)
async def show_page(update: Update, context: BotContext) -> None:
    """◀ or ▶: another page of the role holders, in the same message."""
    query = update.callback_query
    assert query is not None
    number = callbacks.parse(query.data, (ROLES,)).integer(1)
    await query.answer()
    page = await context.services.db.run(role_grants.holders_page, number=number)
    text, markup = roles_text(context.lang, page)
    with unchanged_is_fine():
        await query.edit_message_text(text, reply_markup=markup)


@requires(*ADMIN)
async def revoke(update: Update, context: BotContext) -> None:
    """Revoke one grant and refresh its page; a grant no longer active gets one alert."""
    query = update.callback_query
    assert query is not None and context.person is not None
    button = callbacks.parse(query.data, (ROLES,))
    grant_id, number = button.integer(1), button.integer(2)
    lang = context.lang
    revoked = await context.services.db.run(
        role_grants.revoke,
        grant_id=grant_id,
        by=context.person,
        admin_ids=context.services.admin_ids,
    )
    # Answered once, before anything else is sent: the alert for a stale button, else plainly.
    if revoked is None:
        await query.answer(t(lang, "roles.gone"), show_alert=True)
        return
    await query.answer()
    holder, person = revoked.holder, revoked.person
    if person is not None:
        await set_menu_for(
            context.bot,
            person.telegram_id,
            person.roles,
            person.language or context.services.settings.default_language,
        )
    text, markup = roles_text(lang, role_grants.page_of(revoked.holders, number))
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
    app.add_handler(CallbackQueryHandler(show_page, pattern=rf"^{ROLES}:page:[0-9]+$"))
    app.add_handler(CallbackQueryHandler(revoke, pattern=rf"^{ROLES}:revoke:[0-9]+:[0-9]+$"))


FEATURE = Feature(
    name="admin",
    callback_prefixes=(ROLES,),
    register=register,
    commands=(Command("invite", ADMIN), Command("roles", ADMIN)),
)
