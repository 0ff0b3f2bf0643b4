"""The fake in its own process: `python -m tests.fakes` runs `main()`, and `FakeBotApiProcess`
starts that child, waits for its `READY <port>` line and drives it over `/_fake/` HTTP.

Benchmarks use it so the fake's work does not share a CPU core and a GIL with the bot's.
"""

from __future__ import annotations

import argparse
import base64
import json
import logging
import os
import selectors
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from tests.fakes.inspection import WAIT_CEILING
from tests.fakes.params import chat_key
from tests.fakes.server import DEFAULT_TOKEN, Addresses, FakeBotApi

_REPO_ROOT = Path(__file__).resolve().parents[2]
PROCESS_START_CEILING = 60.0
"""Seconds the child may take to print READY: it starts a Python and imports aiohttp."""


class FakeBotApiProcess(Addresses):
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

    def start(self, timeout: float = PROCESS_START_CEILING) -> FakeBotApiProcess:
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
        with urllib.request.urlopen(request, timeout=WAIT_CEILING) as response:
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
        stats["sent_by_chat"] = {chat_key(k): v for k, v in stats["sent_by_chat"].items()}
        stats["errors_by_status"] = {int(k): v for k, v in stats["errors_by_status"].items()}
        return stats

    def calls(self, method: str | None = None, chat_id: int | None = None) -> list[dict]:
        """Recorded calls as JSON dicts (see `Call.to_json`)."""
        return self._request("GET", "calls", method=method, chat_id=chat_id)

    def sent(self, chat_id: int | None = None) -> list[dict[str, Any]]:
        """Messages the bot sent or edited."""
        return self._request("GET", "sent", chat_id=chat_id)

    def wait_until(
        self, predicate: Callable[[dict[str, Any]], bool], *, timeout: float = WAIT_CEILING
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
