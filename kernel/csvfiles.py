"""Every CSV the product writes, written one way so a clerk can open it in Excel without
surprises.

- One table per file; the first line says what the file holds, the period it covers and when
  it was produced; the second line is the header, in the report's language.
- UTF-8 with a byte-order mark (Excel then reads Chinese correctly), CRLF line ends.
- Numbers stay numbers (Python ints and floats are written bare; a `Decimal` from `fixed` keeps
  its decimals, so a mean reads 4.00, never 4.0); a missing value is an empty cell; percentages
  are numbers of percent (87.8), without a % sign, under a header that says "(%)".
- Values a spreadsheet would turn into dates or numbers are written so it cannot: courtesy rounds
  as `2026 R1` / `115 年第 1 輪` (`kernel.reporting.format_round`), dates with their weekday
  (`2026-11-30 (Mon)`, `115/11/30（一）`, see `csv_day`), test codes with a leading `#`
  (`#2026-1-007`, see `code`; every command that takes a code accepts it with or without).
  Case numbers (`P2026-00042`) begin with a letter and are safe as they are.
- Text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`
  (OWASP's advice against CSV injection), so a product name typed by a reporter such as
  `=HYPERLINK("http://x","y")` is shown, never run as a formula.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
WEEKDAYS = {
    "zh-TW": ("一", "二", "三", "四", "五", "六", "日"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}


def neutralise(text: str) -> str:
    """`text` as a spreadsheet shows it and never runs it: a leading `'` before `=`, `+`, `-`,
    `@`, tab or carriage return."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def fixed(value: float | None, places: int = 2) -> Decimal | None:
    """`value` with exactly `places` decimals when written (a mean as 4.00, a change as -0.40)."""
    if value is None:
        return None
    return Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-places))


def cell(value: Any) -> str | int | float:
    """One value as written: numbers as numbers, None as an empty cell, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)  # a number with its decimals, never a formula even when negative
    if isinstance(value, bool):
        return neutralise(str(value))
    if isinstance(value, int | float):
        return value
    if isinstance(value, date):
        raise TypeError("write dates with csv_day, so a spreadsheet keeps them as written")
    return neutralise(str(value))


def csv_day(day: date, language: str, *, roc: bool) -> str:
    """A date a spreadsheet keeps as written: 115/11/30（一） or 2026-11-30 (Mon)."""
    weekday = WEEKDAYS["zh-TW" if language == "zh-TW" else "en"][day.weekday()]
    if roc:
        text = f"{day.year - 1911}/{day.month:02d}/{day.day:02d}"
    else:
        text = day.isoformat()
    return f"{text}（{weekday}）" if language == "zh-TW" else f"{text} ({weekday})"


def code(text: str) -> str:
    """A test code such as `2026-1-007` with a leading `#`, which a spreadsheet would otherwise
    read as 7 January 2026."""
    return f"#{text}"


def csv_text(
    caption: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, newline: str = "\r\n"
) -> str:
    """The CSV text (no byte-order mark): the caption line, the header, the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow([neutralise(caption)])
    writer.writerow([neutralise(h) for h in header])
    writer.writerows([cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def write_csv(
    path: Path, caption: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Path:
    """A UTF-8 CSV with a byte-order mark, so Excel opens Chinese text correctly."""
    path.write_text(csv_text(caption, header, rows), encoding="utf-8-sig", newline="")
    return path
