"""Charts: Chinese whenever a CJK font file is on the machine, even when matplotlib's font
cache was built before it arrived; inline SVG a page can carry."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kernel import charts

STALE_CACHE = """
from matplotlib import font_manager
# a font cache built before fonts-noto-cjk was installed: no CJK font in it
font_manager.fontManager.ttflist = [
    f for f in font_manager.fontManager.ttflist if "CJK" not in f.name and "TC" not in f.name
]
from kernel import charts
print(charts.cjk_font())
print(charts.chart_language("zh-TW"))
"""


@pytest.mark.skipif(not charts.cjk_font_files(), reason="no CJK font on this machine")
def test_a_cjk_font_on_disk_is_used_even_when_the_font_cache_predates_it() -> None:
    out = subprocess.run(
        [sys.executable, "-c", STALE_CACHE], capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    font, language = out.stdout.strip().splitlines()[-2:]
    assert font in charts.CJK_FONTS and language == "zh-TW"


def test_without_a_cjk_font_chinese_charts_fall_back_to_english(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    assert charts.chart_language("zh-TW") == "en"
    assert charts.chart_language("en") == "en"


def test_an_inline_svg_keeps_its_text_has_a_name_and_ids_of_its_own() -> None:
    plt = charts.pyplot()
    figures = []
    try:
        svgs = []
        for key in ("a", "b"):
            figure, axes = plt.subplots(figsize=(3, 2))
            figures.append(figure)
            axes.bar(["甲", "乙"], [1, 2])
            axes.set_title("各單位平均分數 <&>")
            svgs.append(str(charts.inline_svg(figure, label="各單位 <&>", key=key)))
    finally:
        for figure in figures:
            plt.close(figure)
    first, second = svgs
    assert first.startswith("<svg") and "<?xml" not in first and "<!DOCTYPE" not in first
    assert 'role="img"' in first and 'aria-label="各單位 &lt;&amp;&gt;"' in first
    assert "<title>各單位 &lt;&amp;&gt;</title>" in first
    assert "各單位平均分數" in first and "<text" in first  # text stays text
    assert 'width="' not in first.split(">", 1)[0]  # the page sets its width
    ids_a = set(charts._ID.findall(first))
    ids_b = set(charts._ID.findall(second))
    assert ids_a and not ids_a & ids_b
