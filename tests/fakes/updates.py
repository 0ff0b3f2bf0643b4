"""The user side: what people do in Telegram, queued as updates for the bot's long poll.

Messages, photos, documents, shared contacts, button presses and blocking or unblocking the bot
(my_chat_member), each built as Telegram builds the update; callable from any thread.
"""

from __future__ import annotations

import contextlib
import copy
import re
import time
from pathlib import Path
from typing import Any

from tests.fakes.store import BOT_USER, Store, guess_mime, inline_buttons, is_bot_message

_COMMAND = re.compile(r"/\S+")


class UserSide(Store):
    """Helpers to act as Telegram users towards the bot."""

    def inject(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (update_id is assigned when missing) and return it."""
        update = copy.deepcopy(update)
        with self._lock:
            update.setdefault("update_id", next(self._update_ids))
            self._updates.append(update)
        self._notify_updates()
        return copy.deepcopy(update)

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        language_code: str | None = None,
        username: str | None = None,
        last_name: str | None = None,
    ) -> dict[str, Any]:
        """The user writes `text`; a leading /command gets its bot_command entity."""
        update = self.make_text_update(
            user_id,
            text,
            first_name=first_name,
            language_code=language_code,
            username=username,
            last_name=last_name,
        )
        return self.inject(update)

    def make_text_update(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        language_code: str | None = None,
        username: str | None = None,
        last_name: str | None = None,
    ) -> dict[str, Any]:
        """The update `send_text` would queue, without queuing it (e.g. to POST to a webhook)."""
        content: dict[str, Any] = {"text": text}
        command = _COMMAND.match(text)
        if command:
            length = _utf16_len(command.group())
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        user = self._user(
            user_id,
            first_name=first_name,
            language_code=language_code,
            username=username,
            last_name=last_name,
        )
        with self._lock:
            message = self._new_message(user_id, user, content)
            return {"update_id": next(self._update_ids), "message": message}

    def send_photo(
        self,
        user_id: int,
        file_id: str | None = None,
        *,
        caption: str | None = None,
        content: bytes = b"\xff\xd8\xff\xe0 fake jpeg",
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """The user sends a photo (three sizes; every size serves `content` via getFile)."""
        with self._lock:
            largest = self._store_file(
                content, kind="photos", file_id=file_id, mime_type="image/jpeg"
            )
            sizes = self._make_photo_set(largest)
        body: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            body["caption"] = caption
        return self._user_message(self._user(user_id, language_code=language_code), body)

    def send_document(
        self,
        user_id: int,
        file_name: str,
        content: bytes = b"fake document",
        mime_type: str | None = None,
        *,
        caption: str | None = None,
        file_id: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """The user sends a file; its bytes are served via getFile."""
        mime_type = mime_type or guess_mime(file_name) or "application/octet-stream"
        with self._lock:
            stored = self._store_file(
                content,
                kind="documents",
                file_id=file_id,
                file_name=file_name,
                mime_type=mime_type,
            )
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }
        body: dict[str, Any] = {"document": document}
        if caption is not None:
            body["caption"] = caption
        return self._user_message(self._user(user_id, language_code=language_code), body)

    def send_contact(
        self,
        user_id: int,
        phone_number: str,
        first_name: str,
        *,
        own: bool = True,
        last_name: str | None = None,
        language_code: str | None = None,
    ) -> dict[str, Any]:
        """The user shares a contact; `own=True` is their own number (contact.user_id set)."""
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name}
        if last_name:
            contact["last_name"] = last_name
        if own:
            contact["user_id"] = user_id
        user = self._user(user_id, language_code=language_code)
        return self._user_message(user, {"contact": contact})

    def press_button(
        self,
        user_id: int,
        data: str,
        *,
        message_id: int | None = None,
        language_code: str | None = None,
        chat_id: int | None = None,
    ) -> dict[str, Any]:
        """The user presses an inline button with `data` on the bot's message.

        Without `message_id` the message is the bot's latest one whose keyboard has `data`,
        else the bot's latest message in the chat, else a stand-in bot message with that button.
        The chat is the user's private chat unless `chat_id` names a group (a negative id).
        The bot may answer the query's id once (answerCallbackQuery).
        """
        user = self._user(user_id, language_code=language_code)
        chat = user_id if chat_id is None else chat_id
        with self._lock:
            if message_id is not None:
                message = self._messages.get((chat, message_id))
                if message is None:
                    raise AssertionError(f"no message {message_id} in chat {chat}")
            else:
                message = self._button_message(chat, data)
            query_id = str(4_000_000_000 + next(self._ids))
            self._open_queries.add(query_id)
            query = {
                "id": query_id,
                "from": user,
                "message": copy.deepcopy(message),
                "chat_instance": str(-7_000_000_000 - user_id),
                "data": data,
            }
        return self.inject({"callback_query": query})

    def click(self, user_id: int, text_contains: str) -> dict[str, Any]:
        """The user presses the button whose label contains `text_contains`."""
        message, data = self._find_button(user_id, text_contains)
        return self.press_button(user_id, data, message_id=message["message_id"])

    def chat_member_update(self, user_id: int, new_status: str) -> dict[str, Any]:
        """The user blocks ("kicked") or unblocks ("member") the bot; sends follow suit."""
        if new_status not in ("kicked", "member", "left"):
            raise ValueError(f"new_status must be 'kicked', 'member' or 'left', not {new_status}")
        old_status = "kicked" if new_status == "member" else "member"
        user = self._user(user_id)
        with self._lock:
            chat = self._chat(user_id)
            if new_status == "kicked":
                self._blocked.add(user_id)
            else:
                self._blocked.discard(user_id)
        member_update = {
            "chat": chat,
            "from": user,
            "date": int(time.time()),
            "old_chat_member": _bot_member(old_status),
            "new_chat_member": _bot_member(new_status),
        }
        return self.inject({"my_chat_member": member_update})

    def add_file(self, file_id: str, content: bytes, file_path: str | None = None) -> dict:
        """Register bytes that getFile and the file URL serve under `file_id`."""
        with self._lock:
            name = Path(file_path).name if file_path else None
            stored = self._store_file(
                content,
                kind="documents",
                file_id=file_id,
                file_name=name,
                mime_type=guess_mime(name),
                file_path=file_path,
            )
            return stored.as_file()

    def _user_message(self, user: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            message = self._new_message(user["id"], user, content)
        return self.inject({"message": message})

    def _button_message(self, chat_id: int, data: str) -> dict[str, Any]:
        """The message a press of `data` comes from; caller holds the lock."""
        latest = None
        for key in self._keys_newest_first(chat_id):
            message = self._messages[key]
            if not is_bot_message(message):
                continue
            if any(d == data for _, d in inline_buttons(message)):
                return message
            if latest is None or message["message_id"] > latest["message_id"]:
                latest = message
        if latest is not None:
            return latest
        # No bot message here (a forged or forwarded button): make one for the press to come from.
        keyboard = {"inline_keyboard": [[{"text": data, "callback_data": data}]]}
        self._bot_message(chat_id, {"text": "…", "reply_markup": keyboard})
        return self._messages[(chat_id, self._next_message_id[chat_id])]

    def _notify_updates(self) -> None:
        """Wake long polls waiting in the server loop."""
        loop, changed = self._loop, self._updates_changed
        if loop is not None and changed is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closing
                loop.call_soon_threadsafe(changed.set)


def _bot_member(status: str) -> dict[str, Any]:
    """The bot as a ChatMember with `status`."""
    member: dict[str, Any] = {"status": status, "user": dict(BOT_USER)}
    if status == "kicked":
        member["until_date"] = 0
    return member


def _utf16_len(text: str) -> int:
    """The length Telegram counts entity offsets in."""
    return len(text.encode("utf-16-le")) // 2
