"""Staff prompts that wait for one text message.

A button asks for a text ("type your note"); the person's next plain text is that text, until
the wait lapses or they send any other command. Features name their wait with a key in
`user_data`; this module gives the filter that matches a waiting person's text and the one
handler that ends every wait when another command arrives.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.edge.context import BotApplication, BotContext

_keys: set[str] = set()
_CANCEL = filters.Regex(r"^/cancel(@\w+)?\b")


class _Waiting(filters.UpdateFilter):
    """True while the sender has a wait named `key` (lapsed or not)."""

    def __init__(self, app: BotApplication, key: str) -> None:
        super().__init__(name=f"waiting:{key}")
        self._app = app
        self._key = key

    def filter(self, update: Update) -> bool:
        user = update.effective_user
        return user is not None and self._key in self._app.user_data.get(user.id, {})


def text_for(app: BotApplication, key: str) -> filters.BaseFilter:
    """Plain text from a person whose wait `key` is open."""
    _keys.add(key)
    return filters.TEXT & ~filters.COMMAND & _Waiting(app, key)


async def end_waits_on_command(update: Update, context: BotContext) -> None:
    """Any command but /cancel (which answers for itself) ends every wait for a text."""
    if context.user_data is not None:
        for key in _keys:
            context.user_data.pop(key, None)


def register(app: BotApplication) -> None:
    """Group 1 runs after the command itself was handled in group 0."""
    app.add_handler(MessageHandler(filters.COMMAND & ~_CANCEL, end_waits_on_command), group=1)
