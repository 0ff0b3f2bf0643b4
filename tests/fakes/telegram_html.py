"""Telegram's HTML parse mode: the tags it accepts, the errors it gives, the text a reader sees."""

from __future__ import annotations

import html
import re
from typing import Any

from tests.fakes.errors import ApiError

HTML_TAGS = frozenset(
    "b strong i em u ins s strike del span tg-spoiler a tg-emoji code pre blockquote".split()
)
_HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>")


def visible_text(text: str, parse_mode: Any) -> str:
    """The text as Telegram would show it; HTML is checked like Telegram's parser does.

    Length limits (4096 for a message, 1024 for a caption) count this text, not the markup.
    """
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
