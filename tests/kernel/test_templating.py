"""The one Jinja2 environment: shared, autoescaping, and strict about undefined names."""

from __future__ import annotations

import pytest
from jinja2 import TemplateNotFound, UndefinedError

from kernel import templating


def test_the_environment_is_built_once() -> None:
    assert templating.environment() is templating.environment()


def test_values_are_escaped_and_an_undefined_name_is_an_error() -> None:
    template = templating.environment().from_string("<p>{{ name }}</p>")
    assert template.render(name="<b>&") == "<p>&lt;b&gt;&amp;</p>"
    with pytest.raises(UndefinedError):
        template.render()


def test_render_reads_templates_under_kernel_templates() -> None:
    with pytest.raises(UndefinedError):
        templating.render("reports/base.html.j2")
    with pytest.raises(TemplateNotFound):
        templating.render("reports/nothing.html.j2")
