"""A notice as Telegram HTML: the templates (`kernel/templates/notices/<language>/`), what a
message costs against Telegram's 4096 limit, and splitting a long body into safe parts."""

from __future__ import annotations

import html
import re

from markupsafe import Markup

from bot.notices.publishing import TITLE_LIMIT
from kernel import templating
from kernel.errors import UserError

MESSAGE_LIMIT = 4096


def render_template(name: str, language: str, **values: object) -> str:
    """A Telegram-HTML message from `kernel/templates/notices/<language>/<name>`."""
    return templating.render(f"notices/{language}/{name}", **values).strip()


def message_length(text: str) -> int:
    """What a message costs against Telegram's 4096 limit, counted safely: UTF-16 code units
    (an emoji counts two) of the text with its tags and entities, which is never less than the
    text Telegram shows after parsing."""
    return len(text.encode("utf-16-le")) // 2


def _cost(raw: str) -> int:
    return message_length(html.escape(raw, quote=False))


_SENTENCE = re.compile(r"[^\s。！？；]+[。！？；]*\s*|[。！？；]+\s*|\s+")


def _cut(text: str, budget: int) -> list[str]:
    """Raw `text` in pieces each costing at most `budget` once escaped: between lines first,
    then after words or sentences (Chinese has no spaces), then between characters. The text
    is cut before it is escaped, so an entity such as `&amp;` is never split. (Costs add up:
    escaping and UTF-16 both work character by character.)"""
    units: list[tuple[str, int]] = []
    for line in text.splitlines(keepends=True):
        if (line_cost := _cost(line)) <= budget:
            units.append((line, line_cost))
            continue
        for word in _SENTENCE.findall(line):
            if (word_cost := _cost(word)) <= budget:
                units.append((word, word_cost))
                continue
            chunk, chunk_cost = "", 0
            for char in word:  # one huge word: cut between characters
                char_cost = _cost(char)
                if chunk and chunk_cost + char_cost > budget:
                    units.append((chunk, chunk_cost))
                    chunk, chunk_cost = "", 0
                chunk += char
                chunk_cost += char_cost
            units.append((chunk, chunk_cost))
    pieces: list[str] = []
    current: list[str] = []
    current_cost = 0
    for unit, unit_cost in units:
        if current and current_cost + unit_cost > budget:
            pieces.append("".join(current))
            current, current_cost = [], 0
        current.append(unit)
        current_cost += unit_cost
    pieces.append("".join(current))
    return [p for p in (piece.rstrip() for piece in pieces) if p]


def split_body(body: str, budget: int) -> list[str]:
    """The escaped body in parts each costing at most `budget` (see `message_length`), split
    between paragraphs (blank lines) where possible; each part is safe Telegram HTML alone."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body.replace("\r\n", "\n")) if p.strip()]
    parts: list[str] = []
    current, current_cost = "", 0
    for paragraph in paragraphs:
        for piece in _cut(paragraph.strip("\n"), budget):
            piece_cost = _cost(piece)
            if current and current_cost + 2 + piece_cost <= budget:
                current, current_cost = f"{current}\n\n{piece}", current_cost + 2 + piece_cost
            else:
                if current:
                    parts.append(current)
                current, current_cost = piece, piece_cost
    if current:
        parts.append(current)
    return [html.escape(part, quote=False) for part in parts] or [""]


def render_notice(
    *,
    language: str,
    title: str,
    body: str,
    category_names: list[str],
    attachment_name: str | None = None,
    limit: int = MESSAGE_LIMIT,
) -> list[str]:
    """The messages a subscriber gets for a notice, in order (one, or several for a long body),
    each within Telegram's limit whatever the title, categories and attachment name."""
    values = {
        "title": title,
        "categories": category_names,
        "attachment_name": attachment_name,
    }
    overhead = max(
        message_length(
            render_template("notice.html.j2", language, body="", part=part, parts=n, **values)
        )
        for part, n in ((1, 1), (1, 999), (500, 999), (999, 999))
    )
    budget = limit - overhead - 8
    while True:
        if budget < 200:
            raise UserError("notices.title_too_long", limit=TITLE_LIMIT)
        parts = split_body(body, budget)
        rendered = [
            render_template(
                "notice.html.j2", language, body=Markup(part), part=i, parts=len(parts), **values
            )
            for i, part in enumerate(parts, start=1)
        ]
        longest = max(message_length(message) for message in rendered)
        if longest <= limit:
            return rendered
        budget -= longest - limit  # not expected; make sure rather than trust the estimate
