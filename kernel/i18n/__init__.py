"""Message catalogues: zh-TW first, English second, one TOML file per feature and language.

`bot/i18n/<language>/<feature>.toml` holds flat `key = "text"` pairs (dotted keys nest). Texts are
Telegram HTML; values passed in are escaped, so user text can never inject markup. Plural forms
use Babel's rules: a key with `.one` / `.other` children is chosen by count.
"""

from __future__ import annotations

import html
import string
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale

LANGUAGES = ("zh-TW", "en")
CATALOGUE_DIR = Path(__file__).parent


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, str]) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(full, value, out)
        else:
            out[full] = str(value)


@cache
def catalogue(language: str) -> dict[str, str]:
    """Every message of `language`, flattened to dotted keys."""
    messages: dict[str, str] = {}
    for path in sorted((CATALOGUE_DIR / language).glob("*.toml")):
        table: dict[str, str] = {}
        _flatten("", tomllib.loads(path.read_text(encoding="utf-8")), table)
        clash = messages.keys() & table.keys()
        if clash:
            raise ValueError(f"{path}: keys defined twice: {sorted(clash)}")
        messages.update(table)
    return messages


def normalise_language(code: str | None, default: str = "zh-TW") -> str:
    """`en` for any English Telegram language code, zh-TW for Chinese, else the default."""
    if not code:
        return default
    lowered = code.lower()
    if lowered.startswith("en"):
        return "en"
    if lowered.startswith("zh"):
        return "zh-TW"
    return default


class _Escaped(string.Formatter):
    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Markup):
            return format(str(value), format_spec)
        return html.escape(format(value, format_spec), quote=False)


class Markup(str):
    """A string already safe for Telegram HTML (not escaped again when passed to `t`)."""


_formatter = _Escaped()


def t(language: str, key: str, /, **values: Any) -> str:
    """The message `key` in `language`, with `values` HTML-escaped into its placeholders."""
    messages = catalogue(language if language in LANGUAGES else "zh-TW")
    try:
        text = messages[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in the {language} catalogue") from None
    return Markup(_formatter.format(text, **values)) if values else Markup(text)


def tn(language: str, key: str, count: int, /, **values: Any) -> str:
    """The plural form of `key` for `count` under Babel's rules for `language`."""
    locale = Locale.parse(language.replace("-", "_"))
    form = locale.plural_form(count)
    messages = catalogue(language if language in LANGUAGES else "zh-TW")
    chosen = f"{key}.{form}" if f"{key}.{form}" in messages else f"{key}.other"
    return t(language, chosen, count=count, **values)


def placeholders(text: str) -> set[str]:
    """The placeholder names used in a catalogue text."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
