"""Mean, distribution, share satisfied and its Wilson interval."""

from __future__ import annotations

import math

import pytest

from bot.surveys.statistics import count_scores, figures_of, wilson


def test_wilson_matches_published_values() -> None:
    # Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263 → 0.2553–0.3662.
    low, high = wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    # 15/148 → 0.0624–0.1605 (ibid.).
    low, high = wilson(15, 148)
    assert (round(low, 4), round(high, 4)) == (0.0624, 0.1605)


def test_wilson_stays_inside_0_and_1_at_the_edges() -> None:
    low, high = wilson(0, 10)
    assert low == 0.0 and 0.0 < high < 0.35
    low, high = wilson(10, 10)
    assert 0.65 < low < 1.0 and high == pytest.approx(1.0)
    assert wilson(0, 0) == (0.0, 0.0)


def test_figures_of_counts() -> None:
    figures = figures_of(count_scores([5, 4, 4, 3, 1, None]))
    assert figures.responses == 5
    assert figures.distribution == (1, 0, 1, 2, 1)
    assert figures.mean == pytest.approx(17 / 5)
    assert figures.satisfied == pytest.approx(3 / 5)
    assert figures.satisfied_pct == 60.0
    assert figures.low is not None and figures.high is not None
    assert figures.low < 0.6 < figures.high
    assert math.isclose(figures.low, wilson(3, 5)[0])


def test_no_answers_have_no_figures() -> None:
    figures = figures_of({})
    assert figures.responses == 0 and figures.mean is None and figures.satisfied is None
    assert figures.distribution == (0, 0, 0, 0, 0)
