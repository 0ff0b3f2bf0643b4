"""A message a feature composes for the outbox: Telegram HTML text with optional buttons.

Domains build these without importing telegram; the delivery worker turns the buttons into an
inline keyboard when it sends.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Button:
    """One inline button: its label and the callback data its press carries (≤ 64 bytes)."""

    label: str
    data: str

    def __post_init__(self) -> None:
        if not 1 <= len(self.data.encode()) <= 64:
            raise ValueError(f"callback data must be 1-64 bytes: {self.data!r}")


@dataclass(frozen=True)
class Part:
    """One message: its text (Telegram HTML) and rows of buttons under it."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
