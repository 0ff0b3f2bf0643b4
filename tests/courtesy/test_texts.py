"""Courtesy texts: both catalogues complete and alike; reports escape what people typed."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

from courtesy.report_files import render_html
from courtesy.reports import ActionRow, ItemRow, Labels, Report
from courtesy.rubric import GRADES, grade_label
from kernel.i18n import CATALOGUE_DIR, placeholders


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


def test_the_html_report_escapes_names_and_notes() -> None:
    report = Report(
        name="courtesy-2026-1",
        title="<i>t</i>",
        language="en",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 4, 30),
        due_on=date(2026, 5, 4),
        pass_mark=80,
        roc=False,
    )
    report.actions.append(
        ActionRow(1, "<script>alert(1)</script>", "unit", "open", date(2026, 1, 5), 1, "x")
    )
    html = render_html(report)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;i&gt;t&lt;/i&gt;" in html


def test_a_rendered_report_prints_every_heading_as_text_not_a_python_object() -> None:
    for language in ("zh-TW", "en"):
        report = Report(
            name="courtesy-2026-1",
            title="t",
            language=language,
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 4, 30),
            due_on=date(2026, 5, 4),
            pass_mark=80,
            roc=language == "zh-TW",
            scored=1,
            calls=1,
        )
        report.items.append(ItemRow("tone", "Tone", 5.0, 5.0))
        html = render_html(report)
        for leak in (
            "<built-in",
            "&lt;built-in",
            "<bound method",
            "&lt;bound method",
            " object at 0x",
        ):
            assert leak not in html, (language, leak)
        assert f"<h2>{Labels.of(language).items}</h2>" in html


def test_every_report_label_and_grade_is_in_both_catalogues() -> None:
    assert Labels.of("en").items == "Items losing the most points"
    assert Labels.of("zh-TW").items == "失分最多的項目"
    assert [grade_label(g, "en") for g in GRADES] == ["Excellent", "A", "B", "C", "D"]
    assert [grade_label(g, "zh-TW") for g in GRADES] == list(GRADES)
    assert grade_label("?", "en") == "?"
