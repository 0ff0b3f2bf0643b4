"""What a spreadsheet would make of a CSV cell: a reader that opens CSV the way Excel does
(every cell typed by guessing) is not available here, so the guesses Excel makes are spelled
out: numbers, and dates in the shapes it reads (2026-1, 2026-1-7, 1/7, 7-Jan, Jan 2026, …) —
plus whatever python-dateutil parses without fuzzing."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from dateutil import parser as dateparser

EXCEL_DATE_SHAPES = (
    re.compile(r"^\s*\d{1,4}\s*[-/.]\s*\d{1,3}(\s*[-/.]\s*\d{1,4})?\s*$"),
    re.compile(r"^\s*\d{1,2}[-/ ][A-Za-z]{3,9}([-/ ]\d{2,4})?\s*$"),
    re.compile(r"^\s*[A-Za-z]{3,9}[-/ ]\d{1,4}\s*$"),
    re.compile(r"^\s*\d{1,4}\s*年\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?\s*$"),
    re.compile(r"^\s*\d{1,2}:\d{2}(:\d{2})?\s*$"),  # a time: kept as 09:30, fine
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def turns_into_a_date(text: str) -> bool:
    """Whether a spreadsheet would read `text` as a date (times excepted)."""
    if EXCEL_DATE_SHAPES[-1].match(text) or is_number(text):
        return False
    if any(shape.match(text) for shape in EXCEL_DATE_SHAPES[:-1]):
        return True
    if not text.strip():
        return False
    try:
        dateparser.parse(text, fuzzy=False)
    except (ValueError, OverflowError):
        return False
    return True


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text("utf-8-sig"), newline="")))


def risky_cells(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would run as a formula or turn into a date."""
    return [
        cell
        for row in rows
        for cell in row
        if (cell.startswith(FORMULA_STARTS) and not is_number(cell)) or turns_into_a_date(cell)
    ]
