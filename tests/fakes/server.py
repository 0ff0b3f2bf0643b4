"""`FakeBotApi`: the aiohttp server on 127.0.0.1, in its own thread with its own event loop.

It routes `/bot<token>/<method>` to the Bot API methods (after the failure rules and rate
limits), `/file/bot<token>/<path>` to stored files, and `/_fake/<action>` to the helpers a
`FakeBotApiProcess` drives from another process.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import threading
import urllib.parse
from types import TracebackType
from typing import Any

from aiohttp import web

from tests.fakes.errors import ApiError, api_error
from tests.fakes.inspection import Inspection
from tests.fakes.methods import BotMethods, canonical_method
from tests.fakes.params import chat_key, read_params
from tests.fakes.rules import Rules
from tests.fakes.updates import UserSide

logger = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456:TEST-fake-token"
START_CEILING = 30.0
"""Seconds the server thread may take to listen: generous, a loaded machine is slow to start."""

CONTROL_ACTIONS = frozenset(
    "reset clear fail block unblock inject send_text send_photo send_document "
    "send_contact press_button click chat_member_update add_file make_text_update".split()
)
"""The helpers `/_fake/<action>` runs (POST, keyword arguments as a JSON object)."""


class Addresses:
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


class FakeBotApi(Addresses, BotMethods, UserSide, Rules, Inspection):
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
        super().__init__()
        self.token = token
        self.send_delay = send_delay
        self.enforce_limits = enforce_limits
        self.global_rate = global_rate
        self.per_chat_rate = per_chat_rate
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self._thread: threading.Thread | None = None
        self._stopping: asyncio.Event | None = None
        self._startup_error: BaseException | None = None

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
        if not ready.wait(START_CEILING):
            raise RuntimeError(f"FakeBotApi did not start within {START_CEILING} s")
        if self._startup_error is not None:
            self._thread.join(START_CEILING)
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
        thread.join(START_CEILING)
        self._thread = None

    def reset(self) -> None:
        """Forget calls, failure rules, blocks, rate windows and pending updates."""
        with self._lock:
            self._calls.clear()
            self._rules.clear()
            self._blocked.clear()
            self._updates.clear()
            self._global_window.clear()
            self._chat_windows.clear()

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

    async def _handle_api(self, request: web.Request) -> web.Response:
        """Answer one Bot API method call, recording it."""
        if request.match_info["token"] != self.token:
            return web.json_response(api_error(401).body(), status=401)
        method = canonical_method(request.match_info["method"])
        try:
            params = await read_params(request)
        except ValueError as exc:
            error = ApiError(400, f"Bad Request: {exc}")
            self._record(method, {}, None, error=error)
            return web.json_response(error.body(), status=400)
        chat_id = chat_key(params.get("chat_id"))
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
            late = self._answer_delay(method, chat_id)
        if late:  # accepted, answered late (the client may have given up waiting)
            await asyncio.sleep(late)
        return web.json_response({"ok": True, "result": result})

    def _answer(self, method: str, params: dict[str, Any], chat_id: int | str | None) -> Any:
        """The result of a (non-getUpdates) call, or an ApiError; caller holds the lock."""
        refusal = self._refusal(method, chat_id)
        if refusal is not None:
            raise refusal
        handler = self._handler(method)
        if handler is None:
            raise ApiError(404, "Not Found: method not found")
        result = handler(params, chat_id)
        self._count_delivery(method, chat_id)
        return result

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
        chat_id = chat_key(query.get("chat_id"))
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
