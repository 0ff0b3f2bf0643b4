"""Charts for the reports: matplotlib on Agg, a CJK font found on disk, PNG files for chat and
inline SVG for the HTML pages.

matplotlib's font cache lists the fonts present when it was built; a CJK font installed later
(`apt-get install fonts-noto-cjk` after a first `make test`) is missing from it. So the font
files are looked for on disk (`fc-list :lang=zh-tw file`, then the usual folders) and
registered with `fontManager.addfont` every time, whatever state the cache is in. Without any
CJK font, Chinese charts fall back to English labels rather than empty boxes.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

CJK_FONTS = (
    "Noto Sans CJK TC",
    "Noto Sans TC",
    "Source Han Sans TC",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "WenQuanYi Zen Hei",
    "AR PL UMing TW",
)
FONT_FOLDERS = (
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local/share/fonts",
    Path.home() / ".fonts",
)
FONT_PATTERNS = ("*CJK*", "NotoSansTC*", "SourceHanSans*", "wqy-zenhei*", "uming*")


def cjk_font_files() -> list[Path]:
    """Font files with Traditional Chinese glyphs: what fontconfig knows, else a folder walk."""
    found: list[Path] = []
    fc_list = shutil.which("fc-list")
    if fc_list:
        try:
            listing = subprocess.run(
                [fc_list, ":lang=zh-tw", "file"],
                capture_output=True,
                text=True,
                timeout=20,
                check=False,
            ).stdout
        except (OSError, subprocess.SubprocessError):
            listing = ""
        found += [Path(line.split(":")[0].strip()) for line in listing.splitlines() if line]
    for folder in FONT_FOLDERS:
        if folder.is_dir():
            for pattern in FONT_PATTERNS:
                found += folder.rglob(pattern)
    wanted = (".ttf", ".otf", ".ttc")
    return sorted({p for p in found if p.suffix.lower() in wanted and p.is_file()})


@cache
def cjk_font() -> str | None:
    """Register the CJK font files on this machine with matplotlib and return the preferred
    family name, or None when there is none."""
    from matplotlib import font_manager

    for path in cjk_font_files():
        try:
            font_manager.fontManager.addfont(str(path))
        except (OSError, RuntimeError, ValueError):
            continue  # an unreadable or odd file: the others may do
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend, with a CJK font first when one is installed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [font, "DejaVu Sans"] if font else ["DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text in the page
    matplotlib.rcParams["svg.hashsalt"] = "bsmi-desk"  # the same chart, the same SVG
    return plt


def chart_language(language: str) -> str:
    """Charts fall back to English labels where no CJK font is installed (no missing glyphs)."""
    return language if language != "zh-TW" or cjk_font() else "en"


_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(figure: Any, *, label: str, key: str) -> Markup:
    """`figure` as an `<svg>` element to put in a page: no XML prolog, `role="img"` with the
    label as its accessible name and `<title>`, ids prefixed with `key` so two charts on one
    page never share one, and a width that follows the page."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, count=1, flags=re.S)
    text = _ID.sub(lambda m: f'id="{key}-{m.group(1)}"', text)
    text = text.replace("url(#", f"url(#{key}-").replace('href="#', f'href="#{key}-')
    opening_end = text.index(">")
    opening = re.sub(r'\s(width|height)="[^"]*"', "", text[:opening_end])
    safe_label = str(escape(label))
    opening += f' role="img" aria-label="{safe_label}" class="chart"'
    return Markup(f"{opening}>\n<title>{safe_label}</title>{text[opening_end + 1 :]}")


def grouped_bars(
    labels: list[str],
    series: list[tuple[str, list[int], str]],
    *,
    title: str,
    ylabel: str,
    xlabel: str | None = None,
    value_size: int = 8,
) -> Any:
    """A grouped bar chart of up to three series (label, values, colour) over `labels`, each
    bar labelled with its value: the shape the monthly, period and notices reports share."""
    plt = pyplot()
    figure, axes = plt.subplots(figsize=(8, 4.2), dpi=100)
    x = range(len(labels))
    width = 0.26
    middle = (len(series) - 1) / 2
    for i, (label, values, colour) in enumerate(series):
        bars = axes.bar(
            [p + (i - middle) * width for p in x], values, width, label=label, color=colour
        )
        axes.bar_label(bars, fontsize=value_size)
    axes.set_xticks(list(x), labels)
    if xlabel:
        axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.legend()
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure
