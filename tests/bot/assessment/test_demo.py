"""The demo's self-assessment (`bot/assessment/demo.py`): every one of the twelve units scored
for a past half-year (the first one twice, so it has history), two follow-ups, the period
published; the same seed gives the same scores; and the half-year pack written to disk."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from bot.assessment.demo import seed_demo, write_demo_reports
from bot.assessment.scoring import DIMENSIONS, TOTAL, ScoreInput, period_state, record_score
from courtesy import demo as courtesy_demo
from kernel.errors import UserError
from kernel.periods import Period
from storage.db import Database
from storage.models import AssessmentScore
from storage.queries.assessment import fetch_score_history
from storage.seeds import UNITS
from tests.bot.surveys.pages import parsed

HALF = Period(2025, half=1)
TODAY = date(2025, 9, 1)


def _scores(session: Session) -> list[tuple[object, ...]]:
    """Every score row, history included (no ids or moments: they differ from run to run)."""
    rows = session.exec(
        select(AssessmentScore).order_by(col(AssessmentScore.unit_id), col(AssessmentScore.id))
    ).all()
    return [
        (r.period, r.unit_id, *(getattr(r, d.key) for d in DIMENSIONS), r.assessed_on, r.note)
        for r in rows
    ]


def test_the_demo_scores_every_unit_and_publishes_the_half_year(db: Database) -> None:
    with db.transaction() as session:
        seed_demo(session, rng=random.Random(7), period=HALF, today=TODAY)
    with db.reading() as session:
        state = period_state(session, period=HALF)
        first, last = state.units[0], state.units[-1]
        assert first.id is not None
        history = fetch_score_history(session, period=HALF.code, unit_id=first.id)
    assert len(state.units) == len(UNITS) == 12
    assert state.missing == [] and state.scored == 12
    assert state.published_on is not None
    for score in state.scores.values():
        assert score.assessed_on == "2025-07"  # the month of the publication deadline
        points = [getattr(score, d.key) for d in DIMENSIONS]
        assert all(0 <= p <= d.maximum for p, d in zip(points, DIMENSIONS, strict=True))
        assert 0.5 * TOTAL < sum(points) <= TOTAL
    assert len({sum(getattr(s, d.key) for d in DIMENSIONS) for s in state.scores.values()}) > 6
    earlier, current = history
    assert earlier.superseded_at is not None and current.superseded_at is None
    assert current.note == "複評後調整開放創新分數"
    assert current.innovation == min(100, earlier.innovation + 5)
    assert [current.basic, current.delivery] == [earlier.basic, earlier.delivery]
    assert set(state.follow_ups) == {first.id, last.id}
    assert all(len(texts) == 1 for texts in state.follow_ups.values())

    change = ScoreInput(unit=first.code, points={d.key: "1" for d in DIMENSIONS})
    with pytest.raises(UserError) as refused:  # published: the scores are locked
        db.call(record_score, period=HALF, given=change, today=TODAY, by="test")
    assert refused.value.key == "assessment.locked"


def test_the_same_seed_gives_the_same_scores(db: Database) -> None:
    def seeded(seed: int) -> list[tuple[object, ...]]:
        with Session(db.engine) as session:  # rolled back: each seed starts from nothing
            seed_demo(session, rng=random.Random(seed), period=HALF, today=TODAY)
            scores = _scores(session)
            session.rollback()
        return scores

    first = seeded(7)
    assert len(first) == 13 and first == seeded(7)
    assert first != seeded(8)


def test_the_half_year_pack_is_written_and_every_file_returned_exists(
    db: Database, tmp_path: Path, charts_ready: None
) -> None:
    rng = random.Random(7)
    with db.transaction() as session:  # the courtesy report needs the year's plan
        courtesy_demo.seed_demo(session, rng=rng, year=HALF.year)
    with db.transaction() as session:
        seed_demo(session, rng=rng, period=HALF, today=TODAY)
    with db.transaction() as session:
        files = write_demo_reports(
            session,
            out=tmp_path / "pack",
            period=HALF,
            today=TODAY,
            language="zh-TW",
            pass_mark=courtesy_demo.PASS_MARK,
        )
    assert sorted(files) == sorted((tmp_path / "pack").iterdir())
    assert {f.stem.split("-2025-H1")[0] for f in files} == {
        "complaints",
        "courtesy",
        "self-assessment",
        "evidence",
    }
    assert all(f.stat().st_size > 0 for f in files)
    pages = [f for f in files if f.suffix == ".html"]
    assert [p.name for p in pages] == [
        "complaints-2025-H1.html",
        "courtesy-2025-H1.html",
        "self-assessment-2025-H1.html",
        "evidence-2025-H1.html",
    ]
    for page in pages:
        assert parsed(page).lang == "zh-TW"
    table = parsed(tmp_path / "pack" / "self-assessment-2025-H1.html")
    named = {cell for _, _, rows in table.tables for row in rows for cell in row}
    assert {zh for _, zh, _ in UNITS} <= named  # every unit's line in 附表2
