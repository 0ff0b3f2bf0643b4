"""Charts for the reports: matplotlib on Agg, the product's own Traditional Chinese font, PNG
files for chat and inline SVG for the HTML pages.

The font is a subset of Noto Sans CJK TC shipped in `kernel/fonts/` (OFL 1.1, how it was cut in
the README there): registered with `fontManager.addfont` before the first chart, so unit names,
categories and products are labelled in Chinese on any machine, whatever fonts it has and
whatever state matplotlib's font cache is in. DejaVu Sans (matplotlib's own) stays behind it
for the few signs it lacks.
"""

from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

FONT_FILE = Path(__file__).parent / "fonts" / "NotoSansCJKtc-Regular-subset.otf"
FONT_FAMILY = "Noto Sans CJK TC"


@cache
def chart_font() -> str:
    """Register the bundled font with matplotlib (once a process) and return its family.

    It goes first in matplotlib's font list: a machine with Noto Sans CJK TC of its own
    (fonts-noto-cjk) has a face of the same name, and matplotlib takes the first of equals,
    so every machine draws a chart with the same file."""
    from matplotlib import font_manager

    manager = font_manager.fontManager
    manager.addfont(str(FONT_FILE))
    manager.ttflist.sort(key=lambda entry: Path(entry.fname) != FONT_FILE)
    return font_manager.FontProperties(fname=FONT_FILE).get_name()


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend, the bundled Chinese font first."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [chart_font(), "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: the page's font shows it
    matplotlib.rcParams["svg.hashsalt"] = "bsmi-desk"  # the same chart, the same SVG
    return plt


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
