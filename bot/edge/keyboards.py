"""Keyboard builders the features share, and the language buttons' callback-data prefix.

Callback data is `<prefix>:<payload>`; every prefix is unique across features so a stale button
from an old message can be recognised and answered politely.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from kernel.outgoing import Part

LANGUAGE = "lang"


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
