"""Survey templates (bot/surveys/templates.py): the service template's questions in order,
five on the 1–5 scale then a free text, each worded in both languages from the catalogues; an
unknown template is refused naming the ones there are."""

from __future__ import annotations

import pytest

from bot.surveys.templates import TEMPLATES, template_questions
from kernel.errors import UserError
from kernel.reporting import plain


def test_the_service_template_asks_five_scales_then_a_comment_in_both_languages() -> None:
    questions = template_questions("service")
    assert [(code, kind) for code, kind, _, _ in questions] == [
        ("environment", "scale"),
        ("etiquette", "scale"),
        ("professionalism", "scale"),
        ("measures", "scale"),
        ("overall", "scale"),
        ("comment", "text"),
    ]
    for code, _, zh, en in questions:
        assert zh == plain("zh-TW", f"surveys.question.{code}") and zh
        assert en == plain("en", f"surveys.question.{code}") and en and en != zh
    assert "禮儀" in questions[1][2] and "courtesy" in questions[1][3]


def test_an_unknown_template_is_refused_naming_the_known_ones_and_cut_short() -> None:
    with pytest.raises(UserError) as raised:
        template_questions("x" * 100)
    assert raised.value.key == "surveys.errors.unknown_template"
    assert raised.value.values == {"template": "x" * 32, "known": ", ".join(TEMPLATES)}
