"""A fake Telegram Bot API server on 127.0.0.1 that tests and benchmarks drive the bot against.

The bot talks to it through python-telegram-bot's real HTTP layer (`base_url=fake.base_url`,
`base_file_url=fake.base_file_url`). The server runs in its own thread with its own event loop,
so sync tests, async tests and a bot in a subprocess can all use it; `python -m tests.fakes`
runs it as a separate process, controlled over HTTP under `/_fake/` (see `FakeBotApiProcess`).

    with FakeBotApi() as fake:
        fake.send_text(42, "/start")
        await fake.async_wait_for("sendMessage", chat_id=42)
        assert "歡迎" in fake.last_text(42)
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import copy
import html
import itertools
import json
import logging
import math
import mimetypes
import os
import re
import selectors
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import BodyPartReader, web

logger = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456:TEST-fake-token"
BOT_USER: dict[str, Any] = {
    "id": 4242,
    "is_bot": True,
    "first_name": "BSMI Desk Test",
    "username": "bsmi_desk_test_bot",
}
SEND_METHODS = frozenset({"sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup"})
"""Methods that deliver messages: rate limits, `block` and `stats()["delivered"]` apply to them."""
EDIT_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup"})
SENT_METHODS = SEND_METHODS | {"editMessageText"}
"""Methods whose results `sent()` returns."""

ERROR_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
# Update types Telegram leaves out unless allowed_updates names them.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
# Parameters that carry free text: never JSON-decoded when they arrive form-encoded.
STRING_PARAMS = frozenset(
    "text caption parse_mode callback_query_id inline_message_id url file_id description "
    "short_description name title first_name last_name phone_number vcard emoji action "
    "language_code secret_token business_connection_id message_effect_id document photo".split()
)
# Parameters that are JSON objects or arrays, decoded even when a JSON body sends them as strings.
JSON_PARAMS = frozenset(
    "reply_markup reply_parameters link_preview_options entities caption_entities media "
    "commands scope allowed_updates menu_button".split()
)
HTML_TAGS = frozenset(
    "b strong i em u ins s strike del span tg-spoiler a tg-emoji code pre blockquote".split()
)
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>")
_JSON_SCALAR = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null")
_COMMAND = re.compile(r"/\S+")
_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
_REPO_ROOT = Path(__file__).resolve().parent.parent


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional `retry_after`."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        """The JSON body Telegram answers with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def api_error(
    status: int, *, retry_after: int | None = None, description: str | None = None
) -> ApiError:
    """The error Telegram gives for `status`, with its usual description unless one is given."""
    if status == 429:
        retry_after = 1 if retry_after is None else retry_after
        description = description or f"Too Many Requests: retry after {retry_after}"
        return ApiError(429, description, retry_after=retry_after)
    return ApiError(status, description or ERROR_DESCRIPTIONS.get(status, f"Error {status}"))


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request, as the bot uploaded it."""

    field: str
    filename: str | None
    mime_type: str | None
    content: bytes = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        """A JSON-able summary (without the bytes)."""
        return {"upload": self.filename, "mime_type": self.mime_type, "size": len(self.content)}


@dataclass
class Call:
    """One request the bot made and the answer it got."""

    method: str
    params: dict[str, Any]
    chat_id: int | str | None
    at: float
    status: int = 200
    result: Any = None
    description: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the call was answered with a result rather than an error."""
        return self.status == 200

    @property
    def text(self) -> str | None:
        """The text or caption the call carried, if any."""
        value = self.params.get("text", self.params.get("caption"))
        return value if isinstance(value, str) else None

    def to_json(self) -> dict[str, Any]:
        """The call as JSON-able data (uploads summarised)."""
        params = {k: v.to_json() if isinstance(v, Upload) else v for k, v in self.params.items()}
        return {
            "method": self.method,
            "params": params,
            "chat_id": self.chat_id,
            "at": self.at,
            "status": self.status,
            "result": self.result,
            "description": self.description,
        }

    def summary(self, t0: float = 0.0) -> str:
        """One readable line for failure dumps."""
        outcome = str(self.status) if self.ok else f"{self.status} {self.description}"
        detail = ""
        if self.text is not None:
            detail = f" text={_shorten(self.text)!r}"
        elif "data" in self.params:
            detail = f" data={self.params['data']!r}"
        elif self.method == "getUpdates" and isinstance(self.result, list):
            detail = f" -> {len(self.result)} updates"
        chat = f" chat={self.chat_id}" if self.chat_id is not None else ""
        return f"+{self.at - t0:8.3f}s {self.method}{chat} -> {outcome}{detail}"


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


@dataclass
class FailRule:
    """The next `times` calls matching `method` (None: any) and `chat_id` get an error."""

    method: str | None
    chat_id: int | str | None
    status: int
    retry_after: int | None
    description: str | None
    times: int | None

    def matches(self, method: str, chat_id: int | str | None) -> bool:
        """Whether this rule applies to a call."""
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id


WaitTarget = str | Callable[[Call], bool]


class _Addresses:
    """The URLs python-telegram-bot needs, for a fake listening on `host`:`_port`."""

    host: str = "127.0.0.1"
    _port: int | None

    @property
    def port(self) -> int:
        """The TCP port the fake listens on."""
        if self._port is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._port

    @property
    def url(self) -> str:
        """The fake's root URL."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The `base_url` to give python-telegram-bot."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """The `base_file_url` to give python-telegram-bot."""
        return f"{self.url}/file/bot"


class FakeBotApi(_Addresses):
    """The fake Bot API server, its recorded calls, and helpers to act as Telegram users."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        send_delay: float = 0.0,
        enforce_limits: bool = False,
        global_rate: float = 30.0,
        per_chat_rate: float = 1.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.token = token
        self.send_delay = send_delay
        self.enforce_limits = enforce_limits
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._updates_changed: asyncio.Event | None = None
        self._closing = False
        self._startup_error: BaseException | None = None
        self._lock = threading.RLock()
        self._t0 = time.monotonic()
        self._ids = itertools.count(1)
        self._update_ids = itertools.count(10_001)
        self._next_message_id: defaultdict[int | str, int] = defaultdict(int)
        self._touches = itertools.count(1)
        self._messages: dict[tuple[int | str, int], dict[str, Any]] = {}
        self._touched: dict[tuple[int | str, int], int] = {}
        self._users: dict[int, dict[str, Any]] = {}
        self._files: dict[str, StoredFile] = {}
        self._photo_sets: dict[str, list[dict[str, Any]]] = {}
        self._callback_ids: set[str] = set()
        self._commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._webhook_url = ""
        self._allowed_updates: list[str] = []
        self._calls: list[Call] = []
        self._updates: list[dict[str, Any]] = []
        self._rules: list[FailRule] = []
        self._blocked: set[int | str] = set()
        self._global_window: deque[float] = deque()
        self._chat_windows: defaultdict[int | str, deque[float]] = defaultdict(deque)
        self._methods: dict[str, Callable[[dict[str, Any], Any], Any]] = {
            "getMe": self._get_me,
            "logOut": _true,
            "close": _true,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "setMyName": _true,
            "setMyDescription": _true,
            "setMyShortDescription": _true,
            "setChatMenuButton": _true,
            "sendChatAction": _true,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendMediaGroup": self._send_media_group,
            "deleteMessage": self._delete_message,
            "getFile": self._get_file,
            "getChat": self._get_chat,
        }
        self._canonical = {name.lower(): name for name in [*self._methods, "getUpdates"]}

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeBotApi:
        """Start serving in a background thread; returns once the port is listening."""
        if self._thread is not None:
            raise RuntimeError("FakeBotApi is already running")
        ready = threading.Event()
        self._closing = False
        self._startup_error = None
        self._thread = threading.Thread(
            target=self._run, args=(ready,), name="FakeBotApi", daemon=True
        )
        self._thread.start()
        if not ready.wait(10.0):
            raise RuntimeError("FakeBotApi did not start within 10 s")
        if self._startup_error is not None:
            self._thread.join(5.0)
            self._thread = None
            raise RuntimeError(f"FakeBotApi could not start: {self._startup_error}")
        return self

    def stop(self) -> None:
        """Stop serving and wait for the server thread to end; pending long polls return []."""
        thread, loop, stopping = self._thread, self._loop, self._stopping
        if thread is None:
            return
        if loop is not None and stopping is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(stopping.set)
        thread.join(15.0)
        self._thread = None

    def __enter__(self) -> FakeBotApi:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> FakeBotApi:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    def _run(self, ready: threading.Event) -> None:
        """The server thread: run the event loop until `stop()`."""
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        try:
            loop.run_until_complete(self._serve(ready))
        except BaseException as exc:  # reported to start() rather than lost in the thread
            self._startup_error = self._startup_error or exc
        finally:
            ready.set()
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            if pending:
                loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            self._loop = None
            asyncio.set_event_loop(None)
            loop.close()

    async def _serve(self, ready: threading.Event) -> None:
        """Listen until asked to stop, then shut the server down."""
        self._stopping = asyncio.Event()
        self._updates_changed = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/_fake/{action}", self._handle_control)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self._requested_port)
            await site.start()
            self._port = runner.addresses[0][1]
        except BaseException as exc:
            self._startup_error = exc
            await runner.cleanup()
            return
        ready.set()
        await self._stopping.wait()
        self._closing = True
        self._updates_changed.set()
        await runner.cleanup()

    # -- HTTP handlers -----------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        """Answer one Bot API method call, recording it."""
        if request.match_info["token"] != self.token:
            return web.json_response(api_error(401).body(), status=401)
        name = request.match_info["method"]
        method = self._canonical.get(name.lower(), name)
        try:
            params = await _read_params(request)
        except ValueError as exc:
            error = ApiError(400, f"Bad Request: {exc}")
            self._record(method, {}, None, error=error)
            return web.json_response(error.body(), status=400)
        chat_id = _chat_key(params.get("chat_id"))
        if method.startswith("send") and self.send_delay > 0:
            await asyncio.sleep(self.send_delay)
        if method == "getUpdates":
            with self._lock:
                rule_error = self._take_rule(method, chat_id)
            try:
                if rule_error is not None:
                    raise rule_error
                result = await self._get_updates(params)
            except ApiError as error:
                self._record(method, params, chat_id, error=error)
                return web.json_response(error.body(), status=error.status)
            self._record(method, params, chat_id, result=result)
            return web.json_response({"ok": True, "result": result})
        with self._lock:
            try:
                result = self._answer(method, params, chat_id)
            except ApiError as error:
                self._record(method, params, chat_id, error=error)
                return web.json_response(error.body(), status=error.status)
            except Exception as exc:  # a bug in the fake: answer and record it, never hang
                logger.exception("the fake Bot API failed on %s", method)
                error = ApiError(500, f"Internal Server Error: the fake failed: {exc!r}")
                self._record(method, params, chat_id, error=error)
                return web.json_response(error.body(), status=500)
            self._record(method, params, chat_id, result=result)
        return web.json_response({"ok": True, "result": result})

    async def _handle_file(self, request: web.Request) -> web.Response:
        """Serve the bytes of a registered or uploaded file."""
        if request.match_info["token"] != self.token:
            return web.json_response(api_error(401).body(), status=401)
        path = urllib.parse.unquote(request.match_info["path"])
        with self._lock:
            stored = next((f for f in self._files.values() if f.file_path == path), None)
        if stored is None:
            return web.json_response(api_error(404).body(), status=404)
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.content, content_type=content_type)

    async def _handle_control(self, request: web.Request) -> web.Response:
        """The `/_fake/<action>` endpoints used by `FakeBotApiProcess`."""
        action = request.match_info["action"]
        query = request.query
        chat_id = _chat_key(query.get("chat_id"))
        if request.method == "GET" and action == "stats":
            return web.json_response(self.stats())
        if request.method == "GET" and action == "calls":
            calls = self.calls(query.get("method"), chat_id=chat_id)
            return web.json_response([call.to_json() for call in calls])
        if request.method == "GET" and action == "sent":
            return web.json_response(self.sent(chat_id))
        if request.method != "POST" or action not in CONTROL_ACTIONS:
            return web.json_response({"ok": False, "description": "unknown control"}, status=404)
        kwargs = await request.json() if request.can_read_body else {}
        if "content_b64" in kwargs:
            kwargs["content"] = base64.b64decode(kwargs.pop("content_b64"))
        try:
            result = getattr(self, action)(**kwargs)
        except (TypeError, ValueError, AssertionError) as exc:
            return web.json_response({"ok": False, "description": str(exc)}, status=400)
        return web.json_response({"ok": True, "result": result})

    # -- answering ---------------------------------------------------------------------------

    def _answer(self, method: str, params: dict[str, Any], chat_id: int | str | None) -> Any:
        """The result of a (non-getUpdates) call, or an ApiError; caller holds the lock."""
        rule_error = self._take_rule(method, chat_id)
        if rule_error is not None:
            raise rule_error
        if method in SEND_METHODS | EDIT_METHODS and chat_id in self._blocked:
            raise api_error(403)
        if self.enforce_limits and method in SEND_METHODS:
            retry_after = self._rate_retry_after(chat_id)
            if retry_after is not None:
                raise api_error(429, retry_after=retry_after)
        handler = self._methods.get(method)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        result = handler(params, chat_id)
        if method in SEND_METHODS:
            now = time.monotonic()
            self._global_window.append(now)
            self._chat_windows[chat_id].append(now)
        return result

    def _take_rule(self, method: str, chat_id: int | str | None) -> ApiError | None:
        """Consume the first matching failure rule; caller holds the lock."""
        for rule in self._rules:
            if rule.matches(method, chat_id):
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        self._rules.remove(rule)
                return api_error(
                    rule.status, retry_after=rule.retry_after, description=rule.description
                )
        return None

    def _rate_retry_after(self, chat_id: int | str | None) -> int | None:
        """Seconds until a send to `chat_id` would fit the rolling windows, or None if it does."""
        now = time.monotonic()
        waits = []
        windows = [(self._global_window, self.global_rate)]
        windows.append((self._chat_windows[chat_id], self.per_chat_rate))
        for window, rate in windows:
            capacity = max(1, math.floor(rate))
            span = capacity / rate
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= capacity:
                waits.append(window[0] + span - now)
        if not waits:
            return None
        return max(1, math.ceil(max(waits)))

    def _record(
        self,
        method: str,
        params: dict[str, Any],
        chat_id: int | str | None,
        *,
        result: Any = None,
        error: ApiError | None = None,
    ) -> None:
        """Append a Call for this request."""
        call = Call(
            method=method,
            params=params,
            chat_id=chat_id,
            at=time.monotonic(),
            status=error.status if error else 200,
            result=None if error else result,
            description=error.description if error else None,
        )
        with self._lock:
            self._calls.append(call)
        if error is not None and error.status != 429:
            logger.debug("fake Bot API answered %s with %s", method, error.description)

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

    # -- Bot API methods ---------------------------------------------------------------------

    def _get_me(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        return {
            **BOT_USER,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _delete_webhook(self, params: dict[str, Any], chat_id: Any) -> bool:
        self._webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

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

    def _delete_my_commands(self, params: dict[str, Any], chat_id: Any) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    def _get_my_commands(self, params: dict[str, Any], chat_id: Any) -> list[dict[str, Any]]:
        return copy.deepcopy(self._commands.get(self._commands_key(params), []))

    def _send_message(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        self._require_chat(chat_id)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(_visible_text(text, params.get("parse_mode"))) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        content = {"text": text, **self._common_content(params, chat_id)}
        return self._bot_message(chat_id, content)

    def _send_document(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        self._require_chat(chat_id)
        stored = self._input_file(params.get("document"), params, kind="documents")
        document = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        if stored.file_name:
            document["file_name"] = stored.file_name
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        document["file_size"] = len(stored.content)
        content = {
            "document": document,
            **self._caption(params),
            **self._common_content(params, chat_id),
        }
        return self._bot_message(chat_id, content)

    def _send_photo(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        self._require_chat(chat_id)
        sizes = self._photo_sizes(params.get("photo"), params)
        content = {
            "photo": sizes,
            **self._caption(params),
            **self._common_content(params, chat_id),
        }
        return self._bot_message(chat_id, content)

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
                content["document"] = {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": len(stored.content),
                    **({"file_name": stored.file_name} if stored.file_name else {}),
                    **({"mime_type": stored.mime_type} if stored.mime_type else {}),
                }
            else:
                raise ApiError(400, f"Bad Request: the fake does not support {kind!r} media")
            content.update(self._caption(item))
            contents.append(content)
        return [self._bot_message(chat_id, content) for content in contents]

    def _edit_message_text(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        message = self._editable(params, chat_id)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(_visible_text(text, params.get("parse_mode"))) > 4096:
            raise ApiError(400, "Bad Request: message is too long")
        if "text" not in message:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        markup = _inline_markup(params.get("reply_markup"))
        if message["text"] == text and message.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        message["text"] = text
        return self._finish_edit(message, markup)

    def _edit_message_reply_markup(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        message = self._editable(params, chat_id)
        markup = _inline_markup(params.get("reply_markup"))
        if message.get("reply_markup") == markup:
            raise ApiError(400, NOT_MODIFIED)
        return self._finish_edit(message, markup)

    def _editable(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        """The stored message an edit refers to, or the error Telegram gives."""
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: the fake does not support inline messages")
        self._require_chat(chat_id)
        _check_markup(params.get("reply_markup"))
        message = self._messages.get((chat_id, _int(params.get("message_id"))))
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

    def _delete_message(self, params: dict[str, Any], chat_id: Any) -> bool:
        self._require_chat(chat_id)
        key = (chat_id, _int(params.get("message_id")))
        if key not in self._messages:
            raise ApiError(400, "Bad Request: message to delete not found")
        del self._messages[key]
        self._touched.pop(key, None)
        return True

    def _answer_callback_query(self, params: dict[str, Any], chat_id: Any) -> bool:
        if str(params.get("callback_query_id")) not in self._callback_ids:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is "
                "invalid",
            )
        return True

    def _get_file(self, params: dict[str, Any], chat_id: Any) -> dict[str, Any]:
        stored = self._files.get(str(params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return stored.as_file()

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

    # -- message and file building ---------------------------------------------------------

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
            replied = self._messages.get((reply.get("chat_id", chat_id), _int(reply_id)))
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
        if len(_visible_text(caption, params.get("parse_mode"))) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        return {"caption": caption}

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

    def _input_file(self, source: Any, params: dict[str, Any], *, kind: str) -> StoredFile:
        """The file a send refers to: a fresh upload, a known file_id or an HTTP URL."""
        if isinstance(source, Upload):
            mime_type = source.mime_type
            if not mime_type or mime_type == "application/octet-stream":
                mime_type = _guess_mime(source.filename) or mime_type
            return self._store_file(
                source.content, kind=kind, file_name=source.filename, mime_type=mime_type
            )
        if isinstance(source, str) and source in self._files:
            return self._files[source]
        if isinstance(source, str) and source.startswith(("http://", "https://")):
            name = Path(urllib.parse.urlsplit(source).path).name or None
            return self._store_file(b"", kind=kind, file_name=name, mime_type=_guess_mime(name))
        raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")

    def _photo_sizes(self, source: Any, params: dict[str, Any]) -> list[dict[str, Any]]:
        """PhotoSize objects for an uploaded or known photo."""
        if isinstance(source, str) and source in self._photo_sets:
            return copy.deepcopy(self._photo_sets[source])
        largest = self._input_file(source, params, kind="photos")
        return self._make_photo_set(largest)

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

    # -- injecting updates (any thread) ------------------------------------------------------

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
        mime_type = mime_type or _guess_mime(file_name) or "application/octet-stream"
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
    ) -> dict[str, Any]:
        """The user presses an inline button with `data` on the bot's message.

        Without `message_id` the message is the bot's latest one whose keyboard has `data`,
        else the bot's latest message in the chat, else a stand-in bot message with that button.
        """
        user = self._user(user_id, language_code=language_code)
        with self._lock:
            if message_id is not None:
                message = self._messages.get((user_id, message_id))
                if message is None:
                    raise AssertionError(f"no message {message_id} in chat {user_id}")
            else:
                message = self._button_message(user_id, data)
            query_id = str(4_000_000_000 + next(self._ids))
            self._callback_ids.add(query_id)
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
                mime_type=_guess_mime(name),
                file_path=file_path,
            )
            return stored.as_file()

    def file_bytes(self, file_id: str) -> bytes:
        """The bytes behind a file_id: uploaded by the bot or registered by the test."""
        with self._lock:
            stored = self._files.get(file_id)
        if stored is None:
            raise AssertionError(f"no file {file_id!r}; known: {sorted(self._files)}")
        return stored.content

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

    def _user_message(self, user: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            message = self._new_message(user["id"], user, content)
        return self.inject({"message": message})

    def _notify_updates(self) -> None:
        """Wake long polls waiting in the server loop."""
        loop, changed = self._loop, self._updates_changed
        if loop is not None and changed is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closing
                loop.call_soon_threadsafe(changed.set)

    # -- failure injection -------------------------------------------------------------------

    def fail(
        self,
        method: str | None = "sendMessage",
        *,
        chat_id: int | str | None = None,
        status: int = 429,
        retry_after: int | None = None,
        description: str | None = None,
        times: int | None = 1,
    ) -> None:
        """The next `times` calls of `method` (None: any method) get this error; None: forever."""
        rule = FailRule(
            method=self._canonical.get(method.lower(), method) if method else None,
            chat_id=_chat_key(chat_id),
            status=status,
            retry_after=retry_after,
            description=description,
            times=times,
        )
        with self._lock:
            self._rules.append(rule)

    def block(self, chat_id: int) -> None:
        """Every send or edit to `chat_id` gets 403 "bot was blocked by the user"."""
        with self._lock:
            self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        """Undo `block`."""
        with self._lock:
            self._blocked.discard(chat_id)

    # -- recording ---------------------------------------------------------------------------

    def calls(self, method: str | None = None, chat_id: int | str | None = None) -> list[Call]:
        """Recorded calls, oldest first, optionally only one method and/or chat."""
        chat_id = _chat_key(chat_id)
        with self._lock:
            return [
                call
                for call in self._calls
                if (method is None or call.method == method)
                and (chat_id is None or call.chat_id == chat_id)
            ]

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent or edited (successful calls), in order."""
        messages: list[dict[str, Any]] = []
        for call in self.calls(chat_id=chat_id):
            if call.ok and call.method in SENT_METHODS:
                result = call.result if isinstance(call.result, list) else [call.result]
                messages.extend(result)
        return messages

    def last_text(self, chat_id: int) -> str:
        """The text (or caption) of the last message sent or edited in `chat_id`."""
        for message in reversed(self.sent(chat_id)):
            text = message.get("text", message.get("caption"))
            if text is not None:
                return text
        raise AssertionError(f"the bot sent no text to chat {chat_id}\n{self.dump()}")

    def clear(self) -> None:
        """Forget recorded calls (and so the stats); messages, files and rules stay."""
        with self._lock:
            self._calls.clear()

    def reset(self) -> None:
        """Forget calls, failure rules, blocks, rate windows and pending updates."""
        with self._lock:
            self._calls.clear()
            self._rules.clear()
            self._blocked.clear()
            self._updates.clear()
            self._global_window.clear()
            self._chat_windows.clear()

    def dump(self, last: int = 25) -> str:
        """The last recorded calls, one per line."""
        calls = self.calls()
        lines = [call.summary(self._t0) for call in calls[-last:]]
        header = f"last {len(lines)} of {len(calls)} calls to the fake Bot API:"
        return "\n".join([header, *(f"  {line}" for line in lines)])

    def stats(self) -> dict[str, Any]:
        """Deliveries per chat, totals, 429s, duplicates, first/last delivery and the rate."""
        calls = self.calls()
        delivered = [c for c in calls if c.ok and c.method in SEND_METHODS]
        by_chat = Counter(c.chat_id for c in delivered)
        seen: set[tuple[Any, str]] = set()
        duplicates = []
        for call in delivered:
            text = call.text
            if text is None:
                continue
            if (call.chat_id, text) in seen:
                duplicates.append({"chat_id": call.chat_id, "text": _shorten(text)})
            seen.add((call.chat_id, text))
        first = delivered[0].at if delivered else None
        last = delivered[-1].at if delivered else None
        rate = None
        if first is not None and last is not None and last > first:
            rate = (len(delivered) - 1) / (last - first)
        with self._lock:
            pending = len(self._updates)
        return {
            "calls": len(calls),
            "calls_by_method": dict(Counter(c.method for c in calls)),
            "delivered": len(delivered),
            "sent_by_chat": dict(by_chat),
            "too_many_requests": sum(1 for c in calls if c.status == 429),
            "errors_by_status": dict(Counter(c.status for c in calls if not c.ok)),
            "duplicates": len(duplicates),
            "duplicate_texts": duplicates[:20],
            "first_delivery_at": first,
            "last_delivery_at": last,
            "rate": rate,
            "pending_updates": pending,
        }

    # -- waiting -----------------------------------------------------------------------------

    def wait_for(
        self,
        what: WaitTarget,
        *,
        chat_id: int | None = None,
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[Call]:
        """Block until `count` calls match (a method name or a predicate on Call); return them.

        A method name matches every call of it, failed or not. Use `async_wait_for` in async
        code: this blocks the calling thread and with it any bot running on its loop.
        """
        if _loop_running():
            raise RuntimeError("wait_for would block the event loop; use `await async_wait_for`")
        deadline = time.monotonic() + timeout
        while True:
            matched = self._matching(what, chat_id, count)
            if len(matched) >= count:
                return matched
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_message(what, chat_id, count, timeout))
            time.sleep(0.005)

    async def async_wait_for(
        self,
        what: WaitTarget,
        *,
        chat_id: int | None = None,
        count: int = 1,
        timeout: float = 5.0,
    ) -> list[Call]:
        """Like `wait_for`, polling with asyncio.sleep so the event loop keeps running."""
        deadline = time.monotonic() + timeout
        while True:
            matched = self._matching(what, chat_id, count)
            if len(matched) >= count:
                return matched
            if time.monotonic() >= deadline:
                raise AssertionError(self._timeout_message(what, chat_id, count, timeout))
            await asyncio.sleep(0.005)

    def _matching(self, what: WaitTarget, chat_id: int | None, count: int) -> list[Call]:
        """Calls matching a wait target; a predicate is evaluated only until `count` match."""
        if isinstance(what, str):
            return self.calls(what, chat_id=chat_id)
        matched = []
        for call in self.calls(chat_id=chat_id):
            if what(call):
                matched.append(call)
                if len(matched) >= count:
                    break
        return matched

    def _timeout_message(
        self, what: WaitTarget, chat_id: int | None, count: int, timeout: float
    ) -> str:
        target = what if isinstance(what, str) else getattr(what, "__name__", repr(what))
        where = f" in chat {chat_id}" if chat_id is not None else ""
        return f"timed out after {timeout} s waiting for {count} x {target}{where}\n{self.dump()}"

    # -- keyboards ---------------------------------------------------------------------------

    @staticmethod
    def buttons(message: Any) -> list[tuple[str, str | None]]:
        """(text, callback_data) of every inline button of a Message (dict or telegram object)."""
        if hasattr(message, "to_dict"):
            message = message.to_dict()
        markup = message.get("reply_markup") or {}
        return [
            (button["text"], button.get("callback_data"))
            for row in markup.get("inline_keyboard", [])
            for button in row
        ]

    def button_data(self, chat_id: int, text_contains: str) -> str:
        """The callback_data of the button labelled `text_contains` on the latest keyboard."""
        return self._find_button(chat_id, text_contains)[1]

    def _find_button(self, chat_id: int, text_contains: str) -> tuple[dict[str, Any], str]:
        with self._lock:
            message = self._latest_keyboard(chat_id)
        if message is None:
            raise AssertionError(f"no message with an inline keyboard in chat {chat_id}")
        labels = self.buttons(message)
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
            if _is_bot_message(message) and message.get("reply_markup"):
                return copy.deepcopy(message)
        return None

    def _button_message(self, chat_id: int, data: str) -> dict[str, Any]:
        """The message a press of `data` comes from; caller holds the lock."""
        latest = None
        for key in self._keys_newest_first(chat_id):
            message = self._messages[key]
            if not _is_bot_message(message):
                continue
            if any(d == data for _, d in self.buttons(message)):
                return message
            if latest is None or message["message_id"] > latest["message_id"]:
                latest = message
        if latest is not None:
            return latest
        # No bot message here (a forged or forwarded button): make one for the press to come from.
        keyboard = {"inline_keyboard": [[{"text": data, "callback_data": data}]]}
        self._bot_message(chat_id, {"text": "…", "reply_markup": keyboard})
        return self._messages[(chat_id, self._next_message_id[chat_id])]

    def _keys_newest_first(self, chat_id: int) -> Iterator[tuple[int | str, int]]:
        keys = [key for key in self._touched if key[0] == chat_id]
        return iter(sorted(keys, key=self._touched.__getitem__, reverse=True))


CONTROL_ACTIONS = frozenset(
    "reset clear fail block unblock inject send_text send_photo send_document "
    "send_contact press_button click chat_member_update add_file make_text_update".split()
)


class FakeBotApiProcess(_Addresses):
    """The fake in a child process (`python -m tests.fakes`), inspected over HTTP."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        port: int = 0,
        send_delay: float = 0.0,
        enforce_limits: bool = False,
        global_rate: float = 30.0,
        per_chat_rate: float = 1.0,
    ) -> None:
        self.token = token
        self._args = ["--port", str(port), "--token", token, "--send-delay", str(send_delay)]
        self._args += ["--global-rate", str(global_rate), "--per-chat-rate", str(per_chat_rate)]
        if enforce_limits:
            self._args.append("--enforce-limits")
        self._proc: subprocess.Popen[str] | None = None
        self._port: int | None = None

    def start(self, timeout: float = 15.0) -> FakeBotApiProcess:
        """Start the child and wait until it prints `READY <port>`."""
        command = [sys.executable, "-m", "tests.fakes", *self._args]
        self._proc = subprocess.Popen(command, cwd=_REPO_ROOT, stdout=subprocess.PIPE, text=True)
        assert self._proc.stdout is not None
        deadline = time.monotonic() + timeout
        with selectors.DefaultSelector() as selector:
            selector.register(self._proc.stdout, selectors.EVENT_READ)
            while self._port is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not selector.select(remaining):
                    self.stop()
                    raise RuntimeError(f"the fake Bot API did not print READY in {timeout} s")
                line = self._proc.stdout.readline()
                if not line:
                    code = self._proc.wait()
                    self.stop()
                    raise RuntimeError(f"the fake Bot API exited with {code} before READY")
                if line.startswith("READY "):
                    self._port = int(line.split()[1])
        return self

    def stop(self) -> None:
        """Terminate the child and wait for it."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10.0)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

    def __enter__(self) -> FakeBotApiProcess:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _request(self, verb: str, action: str, body: Any = None, **query: Any) -> Any:
        """One HTTP request to a `/_fake/` endpoint, JSON in and out."""
        query = {k: v for k, v in query.items() if v is not None}
        url = f"{self.url}/_fake/{action}"
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=verb)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10.0) as response:
            return json.loads(response.read())

    def _do(self, action: str, **kwargs: Any) -> Any:
        """Call one of the fake's helper methods in the child."""
        content = kwargs.pop("content", None)
        if content is not None:
            kwargs["content_b64"] = base64.b64encode(content).decode()
        return self._request("POST", action, kwargs)["result"]

    def stats(self) -> dict[str, Any]:
        """Like `FakeBotApi.stats()` (chat ids and statuses back to ints)."""
        stats = self._request("GET", "stats")
        stats["sent_by_chat"] = {_chat_key(k): v for k, v in stats["sent_by_chat"].items()}
        stats["errors_by_status"] = {int(k): v for k, v in stats["errors_by_status"].items()}
        return stats

    def calls(self, method: str | None = None, chat_id: int | None = None) -> list[dict]:
        """Recorded calls as JSON dicts (see `Call.to_json`)."""
        return self._request("GET", "calls", method=method, chat_id=chat_id)

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent or edited."""
        return self._request("GET", "sent", chat_id=chat_id)

    def wait_until(
        self, predicate: Callable[[dict[str, Any]], bool], *, timeout: float = 30.0
    ) -> dict[str, Any]:
        """Poll `stats()` until `predicate(stats)` holds; return those stats."""
        deadline = time.monotonic() + timeout
        while True:
            stats = self.stats()
            if predicate(stats):
                return stats
            if time.monotonic() >= deadline:
                raise AssertionError(f"timed out after {timeout} s; stats: {stats}")
            time.sleep(0.05)

    def reset(self) -> None:
        """See `FakeBotApi.reset`."""
        self._do("reset")

    def clear(self) -> None:
        """See `FakeBotApi.clear`."""
        self._do("clear")

    def fail(self, method: str | None = "sendMessage", **rule: Any) -> None:
        """See `FakeBotApi.fail`."""
        self._do("fail", method=method, **rule)

    def block(self, chat_id: int) -> None:
        """See `FakeBotApi.block`."""
        self._do("block", chat_id=chat_id)

    def unblock(self, chat_id: int) -> None:
        """See `FakeBotApi.unblock`."""
        self._do("unblock", chat_id=chat_id)

    def inject(self, update: dict[str, Any]) -> dict[str, Any]:
        """See `FakeBotApi.inject`."""
        return self._do("inject", update=update)

    def send_text(self, user_id: int, text: str, **user: Any) -> dict[str, Any]:
        """See `FakeBotApi.send_text`."""
        return self._do("send_text", user_id=user_id, text=text, **user)

    def press_button(self, user_id: int, data: str, **kwargs: Any) -> dict[str, Any]:
        """See `FakeBotApi.press_button`."""
        return self._do("press_button", user_id=user_id, data=data, **kwargs)

    def do(self, action: str, **kwargs: Any) -> Any:
        """Any other helper in CONTROL_ACTIONS, e.g. `do("send_contact", user_id=1, ...)`."""
        return self._do(action, **kwargs)


# -- helpers ------------------------------------------------------------------------------------


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Parameters from the query string and a JSON, form-urlencoded or multipart body."""
    params: dict[str, Any] = {k: _decode_form_value(k, v) for k, v in request.query.items()}
    if not request.can_read_body:
        return params
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError as exc:
            raise ValueError("can't parse JSON request body") from exc
        if not isinstance(body, dict):
            raise ValueError("the JSON request body must be an object")
        for key, value in body.items():
            if key in JSON_PARAMS and isinstance(value, str):
                value = _decode_form_value(key, value)
            params[key] = value
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader) or part.name is None:
                continue
            if part.filename is not None:
                content = bytes(await part.read())
                mime_type = part.headers.get("Content-Type")
                params[part.name] = Upload(part.name, part.filename, mime_type, content)
            else:
                params[part.name] = _decode_form_value(part.name, await part.text())
    else:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = _decode_form_value(key, value)
    return params


def _decode_form_value(key: str, value: str) -> Any:
    """JSON-decode a form value the way python-telegram-bot encoded it (free text stays text)."""
    if key in STRING_PARAMS and key not in JSON_PARAMS:
        return value
    if value[:1] in ("{", "[") or _JSON_SCALAR.fullmatch(value):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _chat_key(value: Any) -> int | str | None:
    """A chat id as an int when it is numeric (it may arrive as a string)."""
    if value is None or isinstance(value, int):
        return value
    text = str(value)
    return int(text) if re.fullmatch(r"-?\d+", text) else text


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _true(params: dict[str, Any], chat_id: Any) -> bool:
    return True


def _update_type(update: dict[str, Any]) -> str:
    return next((key for key in update if key != "update_id"), "")


def _is_bot_message(message: dict[str, Any]) -> bool:
    return message.get("from", {}).get("id") == BOT_USER["id"]


def _bot_member(status: str) -> dict[str, Any]:
    """The bot as a ChatMember with `status`."""
    member: dict[str, Any] = {"status": status, "user": dict(BOT_USER)}
    if status == "kicked":
        member["until_date"] = 0
    return member


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


def _visible_text(text: str, parse_mode: Any) -> str:
    """The text as Telegram would show it; HTML is checked like Telegram's parser does."""
    if not isinstance(parse_mode, str) or parse_mode.upper() != "HTML":
        return text
    stack: list[str] = []
    visible: list[str] = []
    position = 0
    while (start := text.find("<", position)) != -1:
        visible.append(text[position:start])
        offset = len(text[:start].encode())
        match = _HTML_TAG.match(text, start)
        if match is None:
            raise ApiError(
                400, f"Bad Request: can't parse entities: unexpected '<' at byte offset {offset}"
            )
        closing, name = match.group(1) == "/", match.group(2).lower()
        if name not in HTML_TAGS:
            raise ApiError(
                400,
                f'Bad Request: can\'t parse entities: Unsupported start tag "{name}" at byte '
                f"offset {offset}",
            )
        if not closing:
            stack.append(name)
        elif not stack or stack[-1] != name:
            raise ApiError(
                400,
                f'Bad Request: can\'t parse entities: Unexpected end tag "{name}" at byte '
                f"offset {offset}",
            )
        else:
            stack.pop()
        position = match.end()
    if stack:
        raise ApiError(
            400,
            f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            f'"{stack[-1]}"',
        )
    visible.append(text[position:])
    return html.unescape("".join(visible))


def _loop_running() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _guess_mime(file_name: str | None) -> str | None:
    return mimetypes.guess_type(file_name)[0] if file_name else None


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _shorten(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def main(argv: list[str] | None = None) -> None:
    """Run the fake as a process: print `READY <port>`, serve until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m tests.fakes", description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--send-delay", type=float, default=0.0)
    parser.add_argument("--enforce-limits", action="store_true")
    parser.add_argument("--global-rate", type=float, default=30.0)
    parser.add_argument("--per-chat-rate", type=float, default=1.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    fake = FakeBotApi(
        args.token,
        send_delay=args.send_delay,
        enforce_limits=args.enforce_limits,
        global_rate=args.global_rate,
        per_chat_rate=args.per_chat_rate,
        host=args.host,
        port=args.port,
    )
    fake.start()
    print(f"READY {fake.port}", flush=True)
    parent = os.getppid()
    try:
        while not stop.wait(0.5):
            if os.getppid() != parent:  # the parent died without stopping us
                break
    finally:
        fake.stop()


if __name__ == "__main__":
    main()
