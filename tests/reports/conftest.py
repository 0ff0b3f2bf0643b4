"""The demo's reports, built once per session in both languages, for the page checks."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.cli.demo import DemoResult, build_demo

DEMO_DAY = date(2026, 11, 26)


@pytest.fixture(scope="session")
def demo_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, DemoResult]:
    """`bsmi-desk demo` in zh-TW and in English: {language: result}."""
    out = tmp_path_factory.mktemp("demo")
    return {
        language: build_demo(out=out / language, today=DEMO_DAY, language=language)
        for language in ("zh-TW", "en")
    }


def pages(results: dict[str, DemoResult]) -> list[tuple[str, Path]]:
    """(language, HTML page) of every report the demo wrote."""
    return [
        (language, path)
        for language, result in results.items()
        for path in result.files
        if path.suffix == ".html"
    ]
