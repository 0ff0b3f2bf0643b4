"""The figures of a 1–5 question, pure: responses, mean, distribution, the share satisfied
(4 or 5) and its 95% confidence interval.

The interval is Wilson's score interval: unlike the normal approximation it stays inside
0–100% and is sensible for the small counts a branch's survey gets (and for 0 or 100%).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from kernel.csvfiles import fixed

SCORES = (1, 2, 3, 4, 5)
SATISFIED = (4, 5)
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson's score interval for a proportion, as (low, high) fractions; (0, 0) for n = 0.

    Always 0 <= low <= successes / n <= high <= 1, exactly: in floating point the formula
    gives 5.55e-17 rather than 0 for 0 of 3 and just under 1 for 10 of 10, which put the
    share outside its own interval and made a chart's error bar negative."""
    if n <= 0:
        return (0.0, 0.0)
    p = successes / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    low = 0.0 if successes <= 0 else min(p, max(0.0, centre - half))
    high = 1.0 if successes >= n else max(p, min(1.0, centre + half))
    return (low, high)


@dataclass(frozen=True)
class Figures:
    responses: int
    distribution: tuple[int, ...]
    """Answers with 1, 2, 3, 4 and 5."""
    mean: float | None
    satisfied: float | None
    """Share of answers that are 4 or 5, as a fraction."""
    low: float | None
    high: float | None

    @property
    def satisfied_pct(self) -> float | None:
        return None if self.satisfied is None else round(100 * self.satisfied, 1)

    @property
    def low_pct(self) -> float | None:
        return None if self.low is None else round(100 * self.low, 1)

    @property
    def high_pct(self) -> float | None:
        return None if self.high is None else round(100 * self.high, 1)

    @property
    def mean_2(self) -> Decimal | None:
        """The mean with two decimals, as tables write it (4.00, never 4.0)."""
        return fixed(self.mean)


def figures_of(counts: Mapping[int, int]) -> Figures:
    """The figures of answers counted per score ({score: answers})."""
    distribution = tuple(int(counts.get(s, 0)) for s in SCORES)
    n = sum(distribution)
    if n == 0:
        return Figures(0, distribution, None, None, None, None)
    mean = sum(s * c for s, c in zip(SCORES, distribution, strict=True)) / n
    happy = sum(counts.get(s, 0) for s in SATISFIED)
    low, high = wilson(happy, n)
    return Figures(n, distribution, mean, happy / n, low, high)


def count_scores(scores: Iterable[int | None]) -> dict[int, int]:
    """{score: answers} of the scores given (None, no answer, is left out)."""
    out: dict[int, int] = {}
    for score in scores:
        if score is not None:
            out[score] = out.get(score, 0) + 1
    return out
