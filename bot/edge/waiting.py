"""Prompts that wait for one text or one file.

A button asks for a text ("type your note"); the person's next plain text is that text, until
the wait lapses or they send any other command. A command may ask for a file the same way
(`/registry` without one: the next document is the register). A wait is one small value,
`Wait` (the feature's key, a payload of plain JSON values, when it lapses), kept in
`user_data` under the feature's key: `open_wait` stores it, `read_wait` gives it back (or says
that it lapsed) and `close_wait` ends it; `take_preview` ends it for the button of the preview
whose token it keeps. `text_for` is the filter that matches a waiting person's text,
`document_for` their file, `photo_or_document_for` a photo or a file; one handler ends every
wait when another command arrives (except the wait that command itself opened:
`open_wait(..., update_id=)`).

A stored wait this module cannot read (a shape an earlier version stored) reads as lapsed:
waits last minutes, so nobody loses more than a prompt to answer again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.edge.context import BotApplication, BotContext
from kernel.clock import utcnow
from kernel.i18n import t

Value = str | int | float | bool | None
Payload = Mapping[str, Value]
"""What a wait is for (a case number, an action id …): plain JSON values only."""
LAPSED_KEY = "waiting.lapsed"
"""The answer to a text whose wait has lapsed where the feature cannot say which it was."""

_keys: set[str] = set()
_CANCEL = filters.Regex(r"^/cancel(@\w+)?\b")


@dataclass(frozen=True)
class Wait:
    """An open prompt for a text: the feature's key, what it is for, until when."""

    key: str
    payload: Payload
    lapses_at: datetime
    update_id: int | None = None
    """The update (a command) that opened it, which does not end it."""

    def stored(self) -> dict[str, object]:
        """The JSON `user_data` keeps (the key is where it is kept)."""
        stored: dict[str, object] = {
            "payload": dict(self.payload),
            "lapses_at": self.lapses_at.timestamp(),
        }
        if self.update_id is not None:
            stored["update_id"] = self.update_id
        return stored


@dataclass(frozen=True)
class Lapsed:
    """A wait past its time; `payload` is None when what was stored could not be read."""

    key: str
    payload: Payload | None


def open_wait(
    user_data: MutableMapping[Any, Any],
    key: str,
    payload: Payload,
    *,
    minutes: int,
    update_id: int | None = None,
) -> Wait:
    """Wait `minutes` for this person's next text or file for `key` (replacing any earlier
    wait); a command opening it gives its `update_id`, so that command does not end it."""
    wait = Wait(key, dict(payload), utcnow() + timedelta(minutes=minutes), update_id)
    user_data[key] = wait.stored()
    return wait


def read_wait(user_data: Mapping[Any, Any], key: str) -> Wait | Lapsed | None:
    """The open wait for `key`; Lapsed when it is past its time or unreadable; None when
    there is none. Reading leaves it stored."""
    if key not in user_data:
        return None
    stored = user_data[key]
    payload = stored.get("payload") if isinstance(stored, dict) else None
    lapses = stored.get("lapses_at") if isinstance(stored, dict) else None
    if (
        not isinstance(payload, dict)
        or not all(isinstance(k, str) and _plain(v) for k, v in payload.items())
        or not isinstance(lapses, int | float)
        or isinstance(lapses, bool)
        or not math.isfinite(lapses)
    ):
        return Lapsed(key, None)
    lapses_at = datetime.fromtimestamp(lapses, UTC)
    if utcnow() > lapses_at:
        return Lapsed(key, payload)
    opened_by = stored.get("update_id")
    return Wait(key, payload, lapses_at, opened_by if type(opened_by) is int else None)


def close_wait(user_data: MutableMapping[Any, Any], key: str) -> Wait | Lapsed | None:
    """End the wait for `key`; what `read_wait` would have given."""
    found = read_wait(user_data, key)
    user_data.pop(key, None)
    return found


def take_preview(user_data: MutableMapping[Any, Any], key: str, token: str) -> Wait | None:
    """A preview's button pressed: the open wait for `key` if its payload's "token" is
    `token`, ended now (so a second press finds none); None for a button of a cancelled, used
    or replaced preview, which leaves the open one as it is."""
    found = read_wait(user_data, key)
    if not isinstance(found, Wait) or found.payload.get("token") != token:
        return None
    user_data.pop(key, None)
    return found


def lapsed_text(language: str) -> str:
    """The answer to a text whose wait lapsed unread: nothing recorded, press again."""
    return t(language, LAPSED_KEY)


def _plain(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


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
    """Plain text from a person whose wait `key` is stored."""
    _keys.add(key)
    return filters.TEXT & ~filters.COMMAND & _Waiting(app, key)


def document_for(app: BotApplication, key: str) -> filters.BaseFilter:
    """A file (sent as a document) from a person whose wait `key` is stored."""
    _keys.add(key)
    return filters.Document.ALL & _Waiting(app, key)


def photo_or_document_for(app: BotApplication, key: str) -> filters.BaseFilter:
    """A photo, or a file sent as a document, from a person whose wait `key` is stored."""
    _keys.add(key)
    return (filters.PHOTO | filters.Document.ALL) & _Waiting(app, key)


def waiting_for(app: BotApplication, key: str) -> filters.BaseFilter:
    """Any message from a person whose wait `key` is stored (for their /cancel)."""
    _keys.add(key)
    return _Waiting(app, key)


async def end_waits_on_command(update: Update, context: BotContext) -> None:
    """Any command but /cancel (which answers for itself) ends every wait, except one this
    very command opened."""
    if context.user_data is not None:
        for key in _keys:
            stored = context.user_data.get(key)
            if isinstance(stored, dict) and stored.get("update_id") == update.update_id:
                continue
            context.user_data.pop(key, None)


def register(app: BotApplication) -> None:
    """Group 1 runs after the command itself was handled in group 0."""
    app.add_handler(MessageHandler(filters.COMMAND & ~_CANCEL, end_waits_on_command), group=1)
