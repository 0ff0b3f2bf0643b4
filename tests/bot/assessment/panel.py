"""What the self-assessment tests build: the first half of 2027 and its year, a unit's scores
recorded as the panel gives them (full marks but for the points named)."""

from __future__ import annotations

from datetime import date

from bot.assessment.scoring import ScoreInput, record_score
from kernel.periods import Period
from storage.db import Database

TODAY = date(2027, 7, 5)
H1 = Period(2027, half=1)
YEAR = Period(2027)
FULL = {
    "basic": "180",
    "delivery": "270",
    "capacity": "170",
    "evaluation": "160",
    "innovation": "80",
}
"""A unit's points worth 860 (甲)."""


def score(
    db: Database, unit: str, period: Period = H1, note: str | None = None, **points: str
) -> None:
    db.call(
        record_score,
        period=period,
        given=ScoreInput(unit=unit, points={**FULL, **points}, note=note),
        today=TODAY,
        by="test",
    )
