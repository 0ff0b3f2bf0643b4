"""Both catalogues are complete and agree on placeholders (the courtesy file too, and every
courtesy key the code names is in it); values are HTML-escaped."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from kernel.i18n import (
    CATALOGUE_DIR,
    LANGUAGES,
    catalogue,
    normalise_language,
    placeholders,
    t,
    tn,
)


def test_every_message_exists_in_both_languages() -> None:
    zh, en = catalogue("zh-TW"), catalogue("en")
    assert sorted(zh.keys() - en.keys()) == []
    assert sorted(en.keys() - zh.keys()) == []


def test_placeholders_agree_between_languages() -> None:
    zh, en = catalogue("zh-TW"), catalogue("en")
    mismatched = [k for k in zh if placeholders(zh[k]) != placeholders(en[k])]
    assert mismatched == []


def test_no_message_is_empty() -> None:
    for language in LANGUAGES:
        assert [k for k, v in catalogue(language).items() if not v.strip()] == []


def test_values_are_escaped_for_telegram_html() -> None:
    text = t("en", "join.granted", role="<b>boss</b> & co", unit="")
    assert "&lt;b&gt;boss&lt;/b&gt; &amp; co" in text


def test_telegram_language_codes_pick_english_or_chinese() -> None:
    assert normalise_language("en-GB") == "en"
    assert normalise_language("zh-hant") == "zh-TW"
    assert normalise_language("ja", "zh-TW") == "zh-TW"
    assert normalise_language(None, "en") == "en"


def test_plural_forms_follow_babel_rules() -> None:
    # every key with plural children has an `other` form in both languages
    for language in LANGUAGES:
        keys = {k.rsplit(".", 1)[0] for k in catalogue(language) if k.endswith(".one")}
        for key in keys:
            assert f"{key}.other" in catalogue(language)
            assert tn(language, key, 1) and tn(language, key, 2)


def flat(language: str) -> dict[str, str]:
    data = tomllib.loads((CATALOGUE_DIR / language / "courtesy.toml").read_text("utf-8"))
    out: dict[str, str] = {}

    def walk(prefix: str, table: dict) -> None:
        for key, value in table.items():
            full = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                walk(full, value)
            else:
                out[full] = value

    walk("", data)
    return out


def test_both_languages_have_the_same_courtesy_keys_and_placeholders() -> None:
    zh, en = flat("zh-TW"), flat("en")
    assert zh.keys() == en.keys()
    for key in zh:
        assert placeholders(zh[key]) == placeholders(en[key]), key


def test_every_courtesy_key_used_in_the_code_exists() -> None:
    keys = set(flat("en"))
    root = Path(__file__).resolve().parents[2]
    sources = [*sorted((root / "courtesy").rglob("*.py")), *sorted((root / "bot").rglob("*.py"))]
    used = set()
    for path in sources:
        text = path.read_text("utf-8")
        for found in re.finditer(r'"(courtesy\.[a-z_]+\.[a-z_0-9]+)"', text):
            before = text[max(0, found.start() - 40) : found.start()]
            # an audit row's action names what was done; it is no catalogue key
            if "audit(" not in before and not before.endswith("action="):
                used.add(found.group(1))
    assert used and used <= keys, sorted(used - keys)
