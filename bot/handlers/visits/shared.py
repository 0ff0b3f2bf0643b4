"""What the /visit and /needs conversations share: their button prefixes, who acts, and how
much of a need's text a message quotes."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from kernel.i18n import t

VISIT = "visit"  # visit:u:<unit code>, visit:k:<kind>, visit:save, visit:cancel
NEEDS = "needs"  # needs:p:<page>, needs:a:<id>, needs:n:<id>, needs:send, needs:cancel
QUOTED = 300
"""Characters of a need's text a list or a preview quotes."""


def quote(text: str) -> str:
    return text if len(text) <= QUOTED else text[: QUOTED - 1] + "…"


def by(update: Update) -> str:
    """Who acts, as a visit or an answer records it."""
    return f"telegram:{update.effective_user.id}" if update.effective_user else "telegram:?"


def actor(update: Update) -> int | None:
    return update.effective_user.id if update.effective_user else None


def go_or_cancel(lang: str, prefix: str, go_key: str, go: str) -> InlineKeyboardMarkup:
    """A preview's two buttons: `prefix:go` (its label `go_key`) and `prefix:cancel`."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t(lang, go_key), callback_data=f"{prefix}:{go}"),
                InlineKeyboardButton(
                    t(lang, "visits.chat.cancel_button"), callback_data=f"{prefix}:cancel"
                ),
            ]
        ]
    )
