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


@pytest.mark.parametrize("n", [1, 2, 3, 10, 13, 25, 27, 100, 263, 1000])
def test_wilson_is_exact_at_0_of_n_and_n_of_n(n: int) -> None:
    # Floating point gave 5.55e-17 for 0 of 3 and just under 1 for 10 of 10: error bars
    # drawn from them came out negative and matplotlib refused the chart.
    assert wilson(0, n)[0] == 0.0
    assert wilson(n, n)[1] == 1.0


@pytest.mark.parametrize("n", [1, 2, 3, 5, 10, 13, 25, 27, 50, 99])
def test_figures_always_keep_low_p_high_in_order_inside_0_and_1(n: int) -> None:
    for happy in range(n + 1):
        figures = figures_of({5: happy, 1: n - happy})
        assert figures.low is not None and figures.high is not None
        assert figures.satisfied is not None
        assert 0.0 <= figures.low <= figures.satisfied <= figures.high <= 1.0, (happy, n)
        assert figures.satisfied - figures.low >= 0.0
        assert figures.high - figures.satisfied >= 0.0
