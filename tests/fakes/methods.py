"""The Bot API methods the fake answers, with Telegram's checks and its JSON results.

Each handler is registered under its method name with `@_bot_method` and takes the call's
parameters and its chat id; `BotMethods._handler` finds one by name. They run with the lock
held, after the failure rules and rate limits (rules.py) had their say; getUpdates is the one
handler that waits, so the server calls `_get_updates` outside the lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import re
import time
import urllib.parse
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from tests.fakes.errors import NOT_MODIFIED, QUERY_INVALID, ApiError, api_error
from tests.fakes.params import Upload, int_or_none
from tests.fakes.store import BOT_USER, Store, StoredFile, guess_mime
from tests.fakes.telegram_html import visible_text

SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup"})
"""Methods that deliver messages: rate limits, `block` and `stats()["delivered"]` apply to them."""
EDIT_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup"})
SENT_METHODS = SEND_METHODS | {"editMessageText"}
"""Methods whose results `sent()` returns."""
# Update types Telegram leaves out unless allowed_updates names them.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")

Handler = Callable[..., Any]
_HANDLERS: dict[str, Handler] = {}


def _bot_method(*names: str) -> Callable[[Handler], Handler]:
    """Register the decorated handler as the answer to the Bot API methods `names`."""

    def register(handler: Handler) -> Handler:
        for name in names:
            _HANDLERS[name] = handler
        return handler

    return register


def canonical_method(name: str) -> str:
    """The method's name as Telegram spells it (method names are case-insensitive)."""
    return _CANONICAL.get(name.lower(), name)


class BotMethods(Store):
    """The Bot API side of the fake: what the bot can call and what it gets back."""

    def _handler(self, method: str) -> Callable[[dict[str, Any], Any], Any] | None:
        """The handler for `method` (canonical name), or None if the fake does not know it."""
        handler = _HANDLERS.get(method)
        return None if handler is None else partial(handler, self)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Long polling: answer as soon as an update is queued or the timeout passes."""
        timeout = float(params.get("timeout") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        offset = params.get("offset")
        with self._lock:
            if self._webhook_url:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            if "allowed_updates" in params:
                self._allowed_updates = list(params["allowed_updates"] or [])
            self._confirm(int(offset) if offset is not None else None)
        assert self._updates_changed is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            self._updates_changed.clear()
            with self._lock:
                batch = self._take_updates(limit)
            remaining = deadline - loop.time()
            if batch or self._closing or remaining <= 0:
                return batch
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._updates_changed.wait(), remaining)

    def _confirm(self, offset: int | None) -> None:
        """Forget updates an offset confirms; caller holds the lock."""
        if offset is None or offset == 0:
            return
        if offset < 0:
            self._updates = self._updates[offset:]
        else:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

    def _take_updates(self, limit: int) -> list[dict[str, Any]]:
        """The first `limit` pending updates the bot asked for; caller holds the lock."""
        allowed = set(self._allowed_updates)
        kept = []
        for update in self._updates:
            kind = _update_type(update)
            if (kind in allowed) if allowed else (kind not in OPT_IN_UPDATES):
                kept.append(update)
        self._updates = kept  # Telegram never stores updates of types the bot did not ask for
        return copy.deepcopy(kept[:limit])

    @_bot_method(
        "logOut",
        "close",
        "setMyName",
        "setMyDescription",
        "setMyShortDescription",
        "setChatMenuButton",
        "sendChatAction",
    )
    def _accepted(self, params: dict[str, Any], chat_id: Any) -> bool:
        return True

    @_bot_method("getMe")
    def _get_me(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        return {
            **BOT_USER,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    @_bot_method("deleteWebhook")
    def _delete_webhook(self, params: dict[str, Any], chat_id: Any) -> bool:
        self._webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    @_bot_method("setWebhook")
    def _set_webhook(self, params: dict[str, Any], chat_id: Any) -> bool:
        url = params.get("url")
        if not isinstance(url, str):
            raise ApiError(400, "Bad Request: bad webhook: URL is empty")
        self._webhook_url = url
        if "allowed_updates" in params:
            self._allowed_updates = list(params["allowed_updates"] or [])
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    @_bot_method("getWebhookInfo")
    def _get_webhook_info(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code") or ""

    @_bot_method("setMyCommands")
    def _set_my_commands(self, params: dict[str, Any], chat_id: Any) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands are invalid")
        for command in commands:
            if not _COMMAND_NAME.fullmatch(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._commands_key(params)] = copy.deepcopy(commands)
        return True

    @_bot_method("deleteMyCommands")
    def _delete_my_commands(self, params: dict[str, Any], chat_id: Any) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    @_bot_method("getMyCommands")
    def _get_my_commands(self, params: dict[str, Any], chat_id: Any) -> list[dict[str, Any]]:
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    @_bot_method("sendMessage")
    def _send_message(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        self._require_chat(chat_id)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(visible_text(text, params.get("parse_mode"))) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        content = {"text": text, **self._common_content(params, chat_id)}
        return self._bot_message(chat_id, content)

    @_bot_method("sendDocument")
    def _send_document(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        self._require_chat(chat_id)
        stored = self._input_file(params.get("document"), params, kind="documents")
        content = {
            "document": _document(stored),
            **self._caption(params),
            **self._common_content(params, chat_id),
        }
        return self._bot_message(chat_id, content)

    @_bot_method("sendPhoto")
    def _send_photo(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        self._require_chat(chat_id)
        sizes = self._photo_sizes(params.get("photo"), params)
        content = {
            "photo": sizes,
            **self._caption(params),
            **self._common_content(params, chat_id),
        }
        return self._bot_message(chat_id, content)

    @_bot_method("sendMediaGroup")
    def _send_media_group(self, params: dict[str, Any], chat_id: Any) -> list[dict[str, Any]]:
        self._require_chat(chat_id)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise ApiError(400, "Bad Request: wrong number of media: must be between 2 and 10")
        common = self._common_content(params, chat_id)
        common.pop("reply_markup", None)  # media groups never carry a keyboard
        group_id = str(10_000_000 + next(self._ids))
        contents = []
        for item in media:
            kind = item.get("type")
            source = item.get("media")
            if isinstance(source, str) and source.startswith("attach://"):
                source = params.get(source.removeprefix("attach://"))
            content: dict[str, Any] = {"media_group_id": group_id, **common}
            if kind == "photo":
                content["photo"] = self._photo_sizes(source, params)
            elif kind == "document":
                stored = self._input_file(source, params, kind="documents")
                content["document"] = _document(stored)
            else:
                raise ApiError(400, f"Bad Request: the fake does not support {kind!r} media")
            content.update(self._caption(item))
            contents.append(content)
        return [self._bot_message(chat_id, content) for content in contents]

    @_bot_method("editMessageText")
    def _edit_message_text(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        message = self._editable(params, chat_id)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(visible_text(text, params.get("parse_mode"))) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        markup = _inline_markup(params.get("reply_markup"))
        if message["text"] == text and message.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        message["text"] = text
        return self._finish_edit(message, markup)

    @_bot_method("editMessageReplyMarkup")
    def _edit_message_reply_markup(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        message = self._editable(params, chat_id)
        markup = _inline_markup(params.get("reply_markup"))
        if message.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        return self._finish_edit(message, markup)

    @_bot_method("deleteMessage")
    def _delete_message(self, params: dict[str, Any], chat_id: Any) -> bool:
        self._require_chat(chat_id)
        key = (chat_id, int_or_none(params.get("message_id")))
        if key not in self._messages:
            raise ApiError(400, "Bad Request: message to delete not found")
        del self._messages[key]
        self._touched.pop(key, None)
        return True

    @_bot_method("answerCallbackQuery")
    def _answer_callback_query(self, params: dict[str, Any], chat_id: Any) -> bool:
        """A query is answered once: a second answer, like one to an id never sent, is refused."""
        query_id = str(params.get("callback_query_id"))
        if query_id not in self._open_queries:
            raise ApiError(400, QUERY_INVALID)
        self._open_queries.discard(query_id)
        return True

    @_bot_method("leaveChat")
    def _leave_chat(self, params: dict[str, Any], chat_id: Any) -> bool:
        """The bot leaves a group or channel; a private chat cannot be left."""
        self._require_chat(chat_id)
        if chat_id > 0:
            raise ApiError(
                400, "Bad Request: chat member status can't be changed in private chats"
            )
        return True

    @_bot_method("getFile")
    def _get_file(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return stored.as_file()

    @_bot_method("getChat")
    def _get_chat(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        self._require_chat(chat_id)
        return {
            **self._chat(chat_id),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _editable(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        """The stored message an edit refers to, or the error Telegram gives."""
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: the fake does not support inline messages")
        self._require_chat(chat_id)
        _check_markup(params.get("reply_markup"))
        message = self._messages.get((chat_id, int_or_none(params.get("message_id"))))
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != BOT_USER["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _finish_edit(self, message: dict[str, Any], markup: dict[str, Any] | None) -> dict:
        """Apply the new markup, stamp edit_date and return a copy."""
        if markup is None:
            message.pop("reply_markup", None)
        else:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        self._touched[(message["chat"]["id"], message["message_id"])] = next(self._touches)
        return copy.deepcopy(message)

    @staticmethod
    def _require_chat(chat_id: Any) -> None:
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if not isinstance(chat_id, int):
            raise api_error(400)

    def _common_content(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        """reply_markup (inline keyboards are echoed) and reply_to_message, validated."""
        content: dict[str, Any] = {}
        _check_markup(params.get("reply_markup"))
        markup = _inline_markup(params.get("reply_markup"))
        if markup is not None:
            content["reply_markup"] = markup
        reply = params.get("reply_parameters") or {}
        reply_id = reply.get("message_id", params.get("reply_to_message_id"))
        if reply_id is not None:
            replied = self._messages.get((reply.get("chat_id", chat_id), int_or_none(reply_id)))
            if replied is not None:
                content["reply_to_message"] = copy.deepcopy(replied)
            elif not (
                reply.get("allow_sending_without_reply")
                or params.get("allow_sending_without_reply")
            ):
                raise ApiError(400, "Bad Request: message to be replied not found")
        return content

    @staticmethod
    def _caption(params: dict[str, Any]) -> dict[str, Any]:
        caption = params.get("caption")
        if not caption:
            return {}
        if len(visible_text(caption, params.get("parse_mode"))) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        return {"caption": caption}

    def _input_file(self, source: Any, params: dict[str, Any], *, kind: str) -> StoredFile:
        """The file a send refers to: a fresh upload, a known file_id or an HTTP URL."""
        if isinstance(source, Upload):
            mime_type = source.mime_type
            if not mime_type or mime_type == "application/octet-stream":
                mime_type = guess_mime(source.filename) or mime_type
            return self._store_file(
                source.content, kind=kind, file_name=source.filename, mime_type=mime_type
            )
        if isinstance(source, str) and source in self._files:
            return self._files[source]
        if isinstance(source, str) and source.startswith(("http://", "https://")):
            name = Path(urllib.parse.urlsplit(source).path).name or None
            return self._store_file(b"", kind=kind, file_name=name, mime_type=guess_mime(name))
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _photo_sizes(self, source: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
        """PhotoSize objects for an uploaded or known photo."""
        if isinstance(source, str) and source in self._photo_sets:
            return copy.deepcopy(self._photo_sets[source])
        largest = self._input_file(source, params, kind="photos")
        return self._make_photo_set(largest)


_CANONICAL = {name.lower(): name for name in [*_HANDLERS, "getUpdates"]}


def _document(stored: StoredFile) -> dict[str, Any]:
    """The Document object for a stored file."""
    document: dict[str, Any] = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
    if stored.file_name:
        document["file_name"] = stored.file_name
    if stored.mime_type:
        document["mime_type"] = stored.mime_type
    document["file_size"] = len(stored.content)
    return document


def _update_type(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


def _inline_markup(markup: Any) -> dict[str, Any] | None:
    """The markup a sent message carries: only inline keyboards are echoed by Telegram."""
    if isinstance(markup, dict) and "inline_keyboard" in markup:
        return copy.deepcopy(markup)
    return None


def _check_markup(markup: Any) -> None:
    """Reject callback_data longer than Telegram's 64 bytes."""
    if not isinstance(markup, dict):
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= 64:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
