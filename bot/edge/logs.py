"""Logging set-up that never shows the bot token.

httpx logs every request URL, and Bot API URLs contain the token. Redaction happens in the
log-record factory, so it holds for every handler (files, stderr, test capture) and every level.
"""

from __future__ import annotations

import logging
import re
from typing import Any

_TOKEN_IN_URL = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
_secrets: set[str] = set()
_installed = False


def redact(text: str) -> str:
    """`text` with any bot token replaced by `<token>`."""
    for secret in _secrets:
        text = text.replace(secret, "<token>")
    return _TOKEN_IN_URL.sub("<token>", text)


def install_redaction(token: str | None = None) -> None:
    """Redact `token` (and anything shaped like a bot token) from every log record."""
    global _installed
    if token:
        _secrets.add(token)
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
        return record

    logging.setLogRecordFactory(factory)


def configure(level: int = logging.INFO, token: str | None = None) -> None:
    """Log to stderr with times and logger names, tokens redacted."""
    logging.basicConfig(
        level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )
    install_redaction(token)
