"""Helpers every report shares (complaint summaries and courtesy rounds alike): ROC-calendar
dates as Taiwanese offices write them, round labels, catalogue texts for pages and files, and
the printed-on line. CSV files are written by `kernel.csvfiles`, charts drawn by
`kernel.charts`.

It lives in the kernel because both bot/ and courtesy/ build reports and courtesy/ must not
depend on bot/.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date as babel_format_date

from kernel.charts import pyplot
from kernel.clock import utcnow
from kernel.i18n import LANGUAGES, catalogue

TAIPEI = ZoneInfo("Asia/Taipei")

__all__ = [
    "babel_locale",
    "format_day",
    "format_month",
    "format_period",
    "format_round",
    "format_stamp",
    "plain",
    "produced_now",
    "pyplot",
    "roc_year",
    "use_roc",
]


def babel_locale(language: str) -> str:
    """The Babel locale for a catalogue language."""
    return "zh_Hant_TW" if language == "zh-TW" else "en_GB"


def plain(language: str, key: str, /, **values: Any) -> str:
    """A catalogue text with its values filled in as they are, for pages (Jinja2 escapes them)
    and files (nothing to escape); chat messages use `kernel.i18n.t`, which escapes."""
    messages = catalogue(language if language in LANGUAGES else "zh-TW")
    try:
        text = messages[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in the {language} catalogue") from None
    return text.format(**values) if values else text


def use_roc(language: str, *, roc: bool = False, western: bool = False) -> bool:
    """Whether a report writes ROC dates: always in Chinese unless `western`, in English only
    when asked with `roc`."""
    return roc or (language == "zh-TW" and not western)


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


def format_period(first: date, last: date, language: str, *, roc: bool = False) -> str:
    """115/09/01 – 115/12/31 or 2026-09-01 – 2026-12-31."""
    return f"{format_day(first, language, roc=roc)} – {format_day(last, language, roc=roc)}"


def format_stamp(moment: datetime, language: str, *, roc: bool = False) -> str:
    """A moment to the minute: 115/11/26 09:30 or 2026-11-26 09:30."""
    return f"{format_day(moment.date(), language, roc=roc)} {moment:%H:%M}"


def format_round(year: int, number: int, language: str, *, roc: bool = False) -> str:
    """A courtesy round as a reader writes it, never `2026-1` (a spreadsheet reads that as a
    date): 115 年第 1 輪, 2026 年第 1 輪, 2026 R1."""
    if language == "zh-TW":
        return f"{roc_year(year) if roc else year} 年第 {number} 輪"
    return f"ROC {roc_year(year)} R{number}" if roc else f"{year} R{number}"


def produced_now() -> datetime:
    """Now on the branch's clock (Taiwan), the moment a report says it was produced."""
    return utcnow().astimezone(TAIPEI)
