"""The one exception type a person should see: a catalogue key and the values for its text;
and the refusal of a file with bad rows, each named by its line."""

from __future__ import annotations

from dataclasses import dataclass, field
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


@dataclass(frozen=True)
class Problem:
    """One bad row of a file: its line and what is wrong (a catalogue key and its values)."""

    line: int
    key: str
    values: dict[str, Any] = field(default_factory=dict)


class BadRows(UserError):
    """A file with bad rows: nothing was written. `problems` lists each by its line; `key` is
    the feature's sentence for the whole refusal (given `count` and the `first` bad line)."""

    def __init__(self, key: str, problems: list[Problem]) -> None:
        super().__init__(key, count=len(problems), first=problems[0].line)
        self.problems = problems
