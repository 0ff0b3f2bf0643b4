"""The one Jinja2 environment: every template of the product, under `kernel/templates/`.

`notices/<language>/…` are Telegram-HTML messages, `cases/…` and `courtesy/…` are HTML reports.
All output is autoescaped and an undefined name is an error, not an empty string.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined


@cache
def environment() -> Environment:
    """Built once per process and shared (Jinja2 caches compiled templates on it)."""
    return Environment(
        loader=PackageLoader("kernel", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def render(name: str, /, **values: object) -> str:
    """Render the template `name` (a path under `kernel/templates/`)."""
    return environment().get_template(name).render(**values)
