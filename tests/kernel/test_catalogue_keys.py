"""Every message key the code names exists in both catalogues, and where a call fills a text's
placeholders with literal keywords it fills every one the text has (a missing one would be a
KeyError in front of a user; the two catalogues' placeholders agree by `test_i18n`).

Keys are found by reading the source (not by running it): every string constant shaped like a
key whose first part is a catalogue section (`"cases.not_found"`, in `t(...)`, `tn(...)`,
`plain(...)`, `UserError(...)`, a `Notice`, a dict of keys ...), every f-string that starts
like one (`f"cases.states.{state}"`: some key must start so), and each chat command's
description (`commands.<name>`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.application import features
from kernel.i18n import LANGUAGES, catalogue, placeholders

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("bot", "courtesy", "kernel", "storage")
KEY_CALLS = {"t": 1, "tn": 1, "plain": 1, "UserError": 0}
"""Calls that take a catalogue key, and the key's position among their arguments."""
IMPLIED = {"tn": {"count"}}
"""Placeholders a call fills by itself (`tn` passes the count)."""


@dataclass(frozen=True)
class Problem:
    where: str
    what: str


def _sections() -> set[str]:
    return {key.split(".", 1)[0] for language in LANGUAGES for key in catalogue(language)}


def _looks_like_key(text: str, sections: set[str]) -> bool:
    parts = text.split(".")
    return (
        len(parts) >= 2
        and parts[0] in sections
        and all(p and all(c.isalnum() or c == "_" for c in p) for p in parts)
        and text == text.lower()
    )


def _call_name(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


NOT_KEYS_IN = {"audit", "record_audit", "ForeignKey", "ForeignKeyConstraint"}
"""Calls whose string arguments are audit actions or table columns (`notice.publish`,
`invite.id`), named like keys of the same section but not messages."""
NOT_KEY_ARGUMENTS = {"action", "foreign_key"}
FILE_ENDINGS = {"j2", "html", "csv", "png", "svg", "toml", "json", "txt", "py"}
RAW_TEMPLATE_CALLS = {"plain"}
"""`plain(language, key)` without values returns the text with its placeholders, for a caller
that fills them itself (the page counter's CSS)."""


def _not_keys(tree: ast.AST) -> set[int]:
    """Ids of string constants that are not message keys: f-string parts, audit actions,
    columns."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            skipped.update(id(v) for v in node.values)
        elif isinstance(node, ast.Call):
            if _call_name(node) in NOT_KEYS_IN:
                for argument in [*node.args, *(k.value for k in node.keywords)]:
                    skipped.update(id(n) for n in ast.walk(argument))
            skipped.update(id(k.value) for k in node.keywords if k.arg in NOT_KEY_ARGUMENTS)
    return skipped


def problems_in(source: str, where: str) -> Iterator[Problem]:
    """Unknown keys, and calls that leave placeholders of their text unfilled."""
    sections = _sections()
    keys = {language: catalogue(language) for language in LANGUAGES}
    tree = ast.parse(source)
    skipped = _not_keys(tree)
    for node in ast.walk(tree):
        line = f"{where}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if (
                id(node) not in skipped
                and _looks_like_key(text, sections)
                and text.rsplit(".", 1)[1] not in FILE_ENDINGS
            ):
                for language, messages in keys.items():
                    parent = any(k.startswith(text + ".") for k in messages)
                    if text not in messages and not parent:
                        yield Problem(line, f"{text!r} is not in the {language} catalogue")
        elif isinstance(node, ast.JoinedStr) and node.values:
            first = node.values[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                prefix = first.value
                head = prefix.rsplit(".", 1)[0] if "." in prefix else ""
                if head and _looks_like_key(head, sections):
                    for language, messages in keys.items():
                        if not any(k.startswith(prefix) for k in messages):
                            yield Problem(line, f"no {language} key starts with {prefix!r}")
        elif isinstance(node, ast.Call) and _call_name(node) in KEY_CALLS:
            name = _call_name(node)
            assert name is not None
            position = KEY_CALLS[name]
            if len(node.args) <= position or any(k.arg is None for k in node.keywords):
                continue  # a key or values known only when it runs
            if name in RAW_TEMPLATE_CALLS and not node.keywords:
                continue
            key_node = node.args[position]
            if not (isinstance(key_node, ast.Constant) and isinstance(key_node.value, str)):
                continue
            key = key_node.value
            given = {k.arg for k in node.keywords if k.arg} | IMPLIED.get(name, set())
            for language, messages in keys.items():
                texts = [v for k, v in messages.items() if k == key or k.startswith(key + ".")]
                if not texts:
                    continue  # reported above as an unknown key
                missing = set().union(*(placeholders(v) for v in texts)) - given
                if missing:
                    yield Problem(
                        line, f"{key!r} in {language} needs {sorted(missing)}, left unfilled"
                    )


def _files() -> Iterable[Path]:
    for package in SOURCES:
        yield from sorted((ROOT / package).rglob("*.py"))


def test_every_key_the_code_names_exists_in_both_catalogues_with_its_placeholders() -> None:
    found = [
        p
        for path in _files()
        for p in problems_in(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    ]
    assert found == []


def test_every_chat_command_has_a_description_in_both_catalogues() -> None:
    commands = [c for feature in features() for c in feature.commands]
    assert len(commands) > 10
    for language in LANGUAGES:
        missing = [c.name for c in commands if c.description_key not in catalogue(language)]
        assert missing == [], language


def test_the_check_finds_a_made_up_key_and_a_call_that_leaves_a_placeholder_empty() -> None:
    source = (
        'UserError("cases.no_such_thing")\n'
        't(lang, "report.filed", number=number)\n'
        't(lang, f"cases.nowhere.{state}")\n'
        't(lang, "report.filed", number=number, due=due)\n'
    )
    found = [p.what for p in problems_in(source, "made-up.py")]
    assert "'cases.no_such_thing' is not in the zh-TW catalogue" in found
    assert "'cases.no_such_thing' is not in the en catalogue" in found
    assert "'report.filed' in en needs ['due'], left unfilled" in found
    assert "no zh-TW key starts with 'cases.nowhere.'" in found
    assert all(p.where != "made-up.py:4" for p in problems_in(source, "made-up.py"))
