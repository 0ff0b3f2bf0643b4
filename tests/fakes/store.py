"""What the fake Telegram remembers, shared by every part of `FakeBotApi`: users, chats,
messages and their keyboards, files, the update queue, recorded calls and failure rules.

`Store` holds the state and the few primitives both sides need (a new message, a new file, a
user, the latest keyboard in a chat); the Bot API methods, the user side, the rules and the
inspection helpers are mixins over it. Methods marked "caller holds the lock" expect `_lock`.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import mimetypes
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakes.inspection import Call
    from tests.fakes.rules import FailRule

BOT_USER: dict[str, Any] = {
    "id": 4242,
    "is_bot": True,
    "first_name": "BSMI Desk Test",
    "username": "bsmi_desk_test_bot",
}


@dataclass
class StoredFile:
    """A file the fake can hand out through getFile and the file URL."""

    file_id: str
    file_unique_id: str
    content: bytes = field(repr=False)
    file_path: str
    file_name: str | None = None
    mime_type: str | None = None

    def as_file(self) -> dict[str, Any]:
        """The Bot API File object."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.content),
            "file_path": self.file_path,
        }


class Store:
    """The fake's state and the primitives every part of it builds on."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._t0 = time.monotonic()
        # The server thread's loop and the event that wakes long polls (set while serving).
        self._loop: asyncio.AbstractEventLoop | None = None
        self._updates_changed: asyncio.Event | None = None
        self._closing = False
        """True once the server is shutting down: pending long polls return []."""
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(10_001)
        self._next_message_id: defaultdict[int | str, int] = defaultdict(int)
        self._touches = itertools.count(1)
        self._messages: dict[tuple[int | str, int], dict[str, Any]] = {}
        self._touched: dict[tuple[int | str, int], int] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._files: dict[str, StoredFile] = {}
        self._photo_sets: dict[str, list[dict[str, Any]]] = {}
        self._open_queries: set[str] = set()
        """Callback query ids sent to the bot and not answered yet."""
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._webhook_url = ""
        self._allowed_updates: list[str] = []
        self._calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._rules: list[FailRule] = []
        self._blocked: set[int | str] = set()
        self._global_window: deque[float] = deque()
        self._chat_windows: defaultdict[int | str, deque[float]] = defaultdict(deque)

    def _chat(self, chat_id: int) -> dict[str, Any]:
        """The Chat object for `chat_id`: users are private chats, negative ids are groups."""
        if chat_id < 0:
            kind = "supergroup" if chat_id < -1_000_000_000_000 else "group"
            return {"id": chat_id, "type": kind, "title": "Test group"}
        user = self._users.get(chat_id, {})
        chat = {"id": chat_id, "type": "private", "first_name": user.get("first_name", "Test")}
        for key in ("last_name", "username"):
            if user.get(key):
                chat[key] = user[key]
        return chat

    def _new_message(self, chat_id: int, sender: dict[str, Any], content: dict) -> dict:
        """Store a message from `sender` in `chat_id` and return a copy of it."""
        self._next_message_id[chat_id] += 1
        message = {
            "message_id": self._next_message_id[chat_id],
            "from": copy.deepcopy(sender),
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            **copy.deepcopy(content),
        }
        key = (chat_id, message["message_id"])
        self._messages[key] = message
        self._touched[key] = next(self._touches)
        return copy.deepcopy(message)

    def _bot_message(self, chat_id: int, content: dict[str, Any]) -> dict[str, Any]:
        return self._new_message(chat_id, BOT_USER, content)

    def _user(
        self,
        user_id: int,
        *,
        first_name: str | None = None,
        language_code: str | None = None,
        username: str | None = None,
        last_name: str | None = None,
    ) -> dict[str, Any]:
        """The User object for `user_id`, remembering names and language across calls."""
        with self._lock:
            user = self._users.setdefault(
                user_id,
                {"id": user_id, "is_bot": False, "first_name": "Test", "language_code": "zh-hant"},
            )
            for key, value in (
                ("first_name", first_name),
                ("last_name", last_name),
                ("username", username),
                ("language_code", language_code),
            ):
                if value is not None:
                    user[key] = value
            return copy.deepcopy(user)

    def _store_file(
        self,
        content: bytes,
        *,
        kind: str,
        file_id: str | None = None,
        file_name: str | None = None,
        mime_type: str | None = None,
        file_path: str | None = None,
    ) -> StoredFile:
        """Register bytes under a (new) file_id; caller holds the lock."""
        n = next(self._ids)
        file_id = file_id or f"fake-{kind[:-1]}-{n}"
        suffix = Path(file_name).suffix if file_name else (".jpg" if kind == "photos" else "")
        stored = StoredFile(
            file_id=file_id,
            file_unique_id=f"uniq-{n}",
            content=bytes(content),
            file_path=file_path or f"{kind}/file_{n}{suffix}",
            file_name=file_name,
            mime_type=mime_type,
        )
        self._files[file_id] = stored
        return stored

    def _make_photo_set(self, largest: StoredFile) -> list[dict[str, Any]]:
        """Three PhotoSizes, the largest backed by `largest`; caller holds the lock."""
        sizes = []
        for suffix, (width, height) in (("s", (90, 68)), ("m", (320, 240))):
            small = self._store_file(
                largest.content, kind="photos", file_id=f"{largest.file_id}-{suffix}"
            )
            sizes.append((small, width, height))
        sizes.append((largest, 1280, 960))
        photo_set = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.content),
                "width": width,
                "height": height,
            }
            for stored, width, height in sizes
        ]
        for stored, _, _ in sizes:
            self._photo_sets[stored.file_id] = photo_set
        return copy.deepcopy(photo_set)

    def _find_button(self, chat_id: int, text_contains: str) -> tuple[dict[str, Any], str]:
        """The latest keyboard message in `chat_id` and the data of its button so labelled."""
        with self._lock:
            message = self._latest_keyboard(chat_id)
        if message is None:
            raise AssertionError(f"no message with an inline keyboard in chat {chat_id}")
        labels = inline_buttons(message)
        for text, data in labels:
            if text_contains in text and data is not None:
                return message, data
        raise AssertionError(
            f"no button containing {text_contains!r} on message {message['message_id']} in "
            f"chat {chat_id}; buttons: {labels}"
        )

    def _latest_keyboard(self, chat_id: int) -> dict[str, Any] | None:
        """The bot's most recently sent or edited message that has an inline keyboard."""
        for key in self._keys_newest_first(chat_id):
            message = self._messages[key]
            if is_bot_message(message) and message.get("reply_markup"):
                return copy.deepcopy(message)
        return None

    def _keys_newest_first(self, chat_id: int) -> Iterator[tuple[int | str, int]]:
        """The chat's messages, most recently sent or edited first."""
        keys = [key for key in self._touched if key[0] == chat_id]
        return iter(sorted(keys, key=self._touched.__getitem__, reverse=True))


def inline_buttons(message: Any) -> list[tuple[str, str | None]]:
    """(text, callback_data) of every inline button of a Message (dict or telegram object)."""
    if hasattr(message, "to_dict"):
        message = message.to_dict()
    markup = message.get("reply_markup") or {}
    return [
        (button["text"], button.get("callback_data"))
        for row in markup.get("inline_keyboard", [])
        for button in row
    ]


def is_bot_message(message: dict[str, Any]) -> bool:
    """Whether the bot wrote `message`."""
    return message.get("from", {}).get("id") == BOT_USER["id"]


def guess_mime(file_name: str | None) -> str | None:
    """The MIME type a file name suggests, if any."""
    return mimetypes.guess_type(file_name)[0] if file_name else None
