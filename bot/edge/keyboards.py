"""Keyboard builders and the callback-data prefixes of the core commands.

Callback data is `<prefix>:<payload>`; every prefix is unique across features so a stale button
from an old message can be recognised and answered politely.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from kernel.i18n import t
from storage.queries.people import RoleHolder

LANGUAGE = "lang"
REVOKE = "roles.revoke"


def language_keyboard(current: str) -> InlineKeyboardMarkup:
    """zh-TW and English, the current one ticked."""
    choices = [("zh-TW", "中文（台灣）"), ("en", "English")]
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


def revoke_keyboard(language: str, holders: list[RoleHolder]) -> InlineKeyboardMarkup | None:
    """One revoke button per active grant."""
    if not holders:
        return None
    rows = [
        [
            InlineKeyboardButton(
                t(
                    language,
                    "roles.revoke_button",
                    name=h.first_name or h.username or h.telegram_id,
                    role=t(language, f"roles.names.{h.role.value}"),
                ),
                callback_data=f"{REVOKE}:{h.grant_id}",
            )
        ]
        for h in holders
    ]
    return InlineKeyboardMarkup(rows)
