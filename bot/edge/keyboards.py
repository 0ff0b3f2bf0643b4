"""Keyboard builders and the callback-data prefixes of the core commands.

Callback data is `<prefix>:<payload>`; every prefix is unique across features so a stale button
from an old message can be recognised and answered politely.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.people.roles import HoldersPage
from kernel.i18n import t
from kernel.outgoing import Part

LANGUAGE = "lang"
ROLES = "roles"  # roles:page:<page>, roles:revoke:<grant id>:<page to show after>


def keyboard(part: Part) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a composed message, or None when it has no buttons."""
    if not part.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(button.label, callback_data=button.data) for button in row]
            for row in part.buttons
        ]
    )


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    """zh-TW and English, the current one ticked."""
    choices = [("zh-TW", "中文（臺灣）"), ("en", "English")]
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    ("✅ " if code == current else "") + label,
                    callback_data=f"{LANGUAGE}:{code}",
                )
                for code, label in choices
            ]
        ]
    )


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
