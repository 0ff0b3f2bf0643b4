"""Charts: Chinese labels from the product's own font on any machine, whatever fonts it has
and whatever matplotlib's font cache holds; inline SVG a page can carry."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

from fontTools.ttLib import TTFont
from matplotlib import font_manager

from kernel import charts

ROOT = Path(__file__).resolve().parents[2]
UNITS = ["第一課", "第二課", "新竹分局秘書室", "臺中分局"]
PRODUCTS = [
    ("電動自行車充電器", [3, 1, 0, 2], "#1f77b4"),
    ("兒童玩具（塑膠）", [1, 4, 2, 0], "#ff7f0e"),
]
# CJK ideographs, their punctuation and full-width forms: what the bundled font must draw
CHINESE = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")

# A machine without any CJK font, in a fresh process with a fresh matplotlib cache: every font
# that is not matplotlib's own is dropped from the font list before the first chart.
BARE_MACHINE = """
import io, warnings
import matplotlib
from matplotlib import font_manager
own = matplotlib.get_data_path()
font_manager.fontManager.ttflist = [
    f for f in font_manager.fontManager.ttflist if f.fname.startswith(own)
]
from kernel import charts
warnings.simplefilter("error")
figure = charts.grouped_bars(
    ["第一課", "秘書室"], [("電動自行車", [1, 2], "#1f77b4")], title="各單位件數", ylabel="件數"
)
figure.savefig(io.BytesIO(), format="png")
print(font_manager.findfont(font_manager.FontProperties(family=charts.FONT_FAMILY)))
"""


def _catalogue_characters() -> set[str]:
    """Every Chinese character the catalogues, seeds and templates can put in a chart."""
    files = [*(ROOT / "kernel/i18n").rglob("*.toml"), ROOT / "storage/seeds.py"]
    files += (ROOT / "kernel/templates").rglob("*.j2")
    return {c for path in files for c in CHINESE.findall(path.read_text(encoding="utf-8"))}


def test_a_chart_of_chinese_units_and_products_draws_every_glyph_from_the_bundled_font() -> None:
    plt = charts.pyplot()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figure = charts.grouped_bars(
            UNITS, PRODUCTS, title="各單位檢舉件數：商品別", ylabel="件數", xlabel="單位"
        )
        try:
            figure.savefig(io.BytesIO(), format="png")
            texts = [t for t in figure.findobj(plt.Text) if CHINESE.search(t.get_text())]
        finally:
            plt.close(figure)
    assert not [w for w in caught if "missing from font" in str(w.message)]
    drawn = {c for text in texts for c in CHINESE.findall(text.get_text())}
    assert {"商", "課", "（", "："} <= drawn  # units, products, title, legend all in Chinese
    cmap = TTFont(charts.FONT_FILE).getBestCmap()
    for text in texts:
        first = font_manager.fontManager._find_fonts_by_props(text.get_fontproperties())[0]
        assert Path(first) == charts.FONT_FILE, text.get_text()
    assert all(ord(c) in cmap for c in drawn)


def test_a_machine_without_any_cjk_font_still_labels_charts_in_chinese(tmp_path: Path) -> None:
    env = {**os.environ, "MPLCONFIGDIR": str(tmp_path)}  # no font cache from an earlier run
    out = subprocess.run(
        [sys.executable, "-c", BARE_MACHINE],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=env,
    )
    assert out.returncode == 0, out.stderr
    assert Path(out.stdout.strip().splitlines()[-1]) == charts.FONT_FILE


def test_the_bundled_font_has_every_character_of_big5_and_of_the_catalogues() -> None:
    cmap = TTFont(charts.FONT_FILE).getBestCmap()
    big5 = set()
    for lead in range(0xA4, 0xFA):  # the hanzi: 常用字 A440–C67E, 次常用字 C940–F9D5
        for trail in [*range(0x40, 0x7F), *range(0xA1, 0xFF)]:
            try:
                big5.add(bytes([lead, trail]).decode("big5"))
            except UnicodeDecodeError:
                continue
    assert len(big5) > 13000
    missing = sorted(c for c in big5 | _catalogue_characters() if ord(c) not in cmap)
    assert not missing, f"add to kernel/fonts (see its README): {''.join(missing[:50])}"
    assert charts.FONT_FILE.stat().st_size < 4_000_000
    assert (charts.FONT_FILE.parent / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE") == 1


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
