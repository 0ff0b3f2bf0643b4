"""Logging set-up that never shows the bot token or the webhook secret.

httpx logs every request URL, and Bot API URLs contain the token; python-telegram-bot puts the
token in the message of `InvalidToken` ("The token `…` was rejected by the server"), so it also
travels in tracebacks. Redaction therefore happens in three places:

- the log-record factory redacts the message and, when the record carries an exception or a
  stack, formats them once, redacted, into `exc_text`/`stack_info`, which every standard
  `logging.Formatter` (stderr, files, test capture) prints instead of formatting them again;
- `RedactingFormatter`, the formatter of the stderr handler `configure` installs, redacts
  whatever it prints (a record made before the factory was installed, say);
- `configure` routes uncaught exceptions of the main thread and of other threads through
  the log, so Python's own traceback printer never writes an unredacted one.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import Any

_TOKEN_SHAPE = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
_secrets: set[str] = set()
_installed = False
logger = logging.getLogger(__name__)


def redact(text: str) -> str:
    """`text` with every registered secret, and anything shaped like a bot token, replaced."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, "<secret>")
    return _TOKEN_SHAPE.sub("<token>", text)


def _format_exception(exc_info: Any) -> str:
    return "".join(traceback.format_exception(*exc_info)).rstrip("\n")


class RedactingFormatter(logging.Formatter):
    """A formatter whose every output (message, traceback, stack) is redacted."""

    def formatException(self, ei: Any) -> str:  # noqa: N802 (logging's name)
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 (logging's name)
        return redact(super().formatStack(stack_info))

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def install_redaction(*secrets: str | None) -> None:
    """Redact `secrets` (the token, the webhook secret) and anything shaped like a bot token
    from every log record made from now on, whatever handler prints it."""
    global _installed
    # A secret of a character or two would blank out ordinary words.
    _secrets.update(s for s in secrets if s and len(s) >= 6)
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = redact(_format_exception(record.exc_info))
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return record

    logging.setLogRecordFactory(factory)


def _log_uncaught(
    kind: type[BaseException], value: BaseException, tb: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, tb)
        return
    logger.critical("uncaught exception", exc_info=(kind, value, tb))


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None:
        return
    thread = args.thread.name if args.thread else "?"
    logger.error(
        "uncaught exception in thread %s",
        thread,
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
    )


def configure(
    level: int = logging.INFO, token: str | None = None, secrets: Iterable[str | None] = ()
) -> None:
    """Log to stderr with times and logger names, the token and `secrets` redacted, and send
    uncaught exceptions through the same log."""
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level, handlers=[handler], force=True)
    install_redaction(token, *secrets)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread
