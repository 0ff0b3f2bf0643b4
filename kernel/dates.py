"""Dates people type or import: one parser, so `2026-W53-7`, `999/12/31` or `9999-12-31` are
refused everywhere alike instead of planning reminders for the year 9999.

A day is ISO `YYYY-MM-DD` or ROC `YYY/MM/DD` (民國, one to three digits of year). Full-width
digits and separators (`１１５／０３／３１`) are made ASCII first (NFKC), and the year must fall
within `FIRST_YEAR`..`LAST_YEAR`. A month typed the same way is `kernel.periods.parse_month`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

FIRST_YEAR = 1950
LAST_YEAR = 2099
"""The years a date of the branch's records can fall in (ROC 39 to 188)."""

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ROC = re.compile(r"^(\d{1,3})/(\d{1,2})/(\d{1,2})$")


def ascii_text(raw: str) -> str:
    """`raw` with full-width digits and punctuation made ASCII (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", raw).strip()


def parse_day(raw: str) -> date | None:
    """`YYYY-MM-DD` or ROC `YYY/MM/DD` as a date within the sane years; None otherwise."""
    value = ascii_text(raw)
    if found := _ISO.match(value):
        year, month, day = (int(g) for g in found.groups())
    elif found := _ROC.match(value):
        year, month, day = (int(g) for g in found.groups())
        year += 1911
    else:
        return None
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
