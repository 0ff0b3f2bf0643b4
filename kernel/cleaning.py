"""Text people type, cleaned the one way every name, title and body is: control characters
that break storage or act on a terminal removed, zero-width characters out of one-line names."""

from __future__ import annotations

import re

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""Control characters but tab and newline: NUL breaks PostgreSQL text, the rest show as boxes
or act on a terminal (escape sequences). A carriage return is made a newline first."""
_INVISIBLE = re.compile(r"[\u200b\u2060\ufeff\u180e]")
"""Zero-width spaces and joiner-less marks: nothing to see, so no part of a one-line name.
(Zero-width joiners stay: emoji sequences need them.)"""


def without_controls(text: str) -> str:
    """`text` with line ends made `\\n` and every other control character but tab removed."""
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def one_line(raw: str) -> str:
    """A name or title on one line: white space (line ends included) made single spaces, then
    every other control and zero-width character removed."""
    words = (_INVISIBLE.sub("", _CONTROLS.sub("", word)) for word in raw.split())
    return " ".join(word for word in words if word)
