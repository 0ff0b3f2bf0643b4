"""Report periods: halves and years, the one before, and what is refused."""

from __future__ import annotations

from datetime import date

import pytest

from bot.surveys.periods import parse_period
from kernel.errors import UserError


def test_halves_and_years() -> None:
    first = parse_period("2027-H1")
    assert (first.first, first.last, first.code) == (
        date(2027, 1, 1),
        date(2027, 6, 30),
        "2027-H1",
    )
    second = parse_period(" 2027-h2 ")
    assert (second.first, second.last) == (date(2027, 7, 1), date(2027, 12, 31))
    year = parse_period("2027")
    assert (year.first, year.last, year.code) == (date(2027, 1, 1), date(2027, 12, 31), "2027")
    assert first.previous().code == "2026-H2"
    assert second.previous().code == "2027-H1"
    assert year.previous().code == "2026"


@pytest.mark.parametrize("text", ["2027-H3", "2027H1", "27-H1", "2027-Q1", "", "１２３４", "1800"])
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(UserError) as caught:
        parse_period(text)
    assert caught.value.key == "surveys.errors.bad_period"
