"""Helpers every report shares (complaint summaries and courtesy rounds alike): CSV that Excel
opens, ROC-calendar dates as Taiwanese offices write them, and charts with a CJK font.

It lives beside the storage layer because both bot/ and courtesy/ build reports and courtesy/
must not depend on bot/.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date as babel_format_date

CJK_FONTS = (
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Noto Sans CJK SC",
    "Noto Sans TC",
    "Source Han Sans TC",
    "WenQuanYi Zen Hei",
    "AR PL UMing TW",
)


def babel_locale(language: str) -> str:
    """The Babel locale for a catalogue language."""
    return "zh_Hant_TW" if language == "zh-TW" else "en_GB"


def roc_year(year: int) -> int:
    """The Minguo (ROC) year: 2026 is 民國 115 年."""
    return year - 1911


def format_month(year: int, month: int, language: str, *, roc: bool = False) -> str:
    """`2026-11` as 民國 115 年 11 月 / 2026 年 11 月 / November 2026."""
    if language == "zh-TW":
        return f"民國 {roc_year(year)} 年 {month} 月" if roc else f"{year} 年 {month} 月"
    label = babel_format_date(date(year, month, 1), "MMMM y", locale="en_GB")
    return f"{label} (ROC {roc_year(year)})" if roc else label


def format_day(day: date, language: str, *, roc: bool = False) -> str:
    """A date as offices write it: 115/11/26 (ROC) or 2026-11-26."""
    if roc:
        return f"{roc_year(day.year)}/{day.month:02d}/{day.day:02d}"
    return day.isoformat()


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """A UTF-8 CSV with a byte-order mark, so Excel opens Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    return path


@cache
def cjk_font() -> str | None:
    """The first installed font that has Traditional Chinese glyphs, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in CJK_FONTS if name in installed), None)


def pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend, with a CJK font first when one is installed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    font = cjk_font()
    if font:
        matplotlib.rcParams["font.family"] = "sans-serif"
        matplotlib.rcParams["font.sans-serif"] = [font, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return plt


def chart_language(language: str) -> str:
    """Charts fall back to English labels where no CJK font is installed (no missing glyphs)."""
    return language if language != "zh-TW" or cjk_font() else "en"
