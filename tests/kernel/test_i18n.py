"""Both catalogues are complete and agree on placeholders; values are HTML-escaped."""

from __future__ import annotations

from kernel.i18n import LANGUAGES, catalogue, normalise_language, placeholders, t, tn


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
