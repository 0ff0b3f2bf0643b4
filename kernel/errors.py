"""The one exception type a person should see: a catalogue key and the values for its text."""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    """Input a person must correct. `key` names a message in bot/i18n; never a traceback."""

    def __init__(self, key: str, /, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

    def __str__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"{self.key}({shown})"
