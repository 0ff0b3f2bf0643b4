"""Satisfaction with case handling for other features (bot/surveys/figures.py): the case
follow-ups asked in a date range, of the whole branch or one unit, with the mean and the share
satisfied; a range before any was asked has none."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import select

from bot.surveys.figures import satisfaction_for
from bot.surveys.followups import answer_score, ask_due
from storage.db import Database
from storage.models import CaseFollowUp
from storage.queries.people import fetch_unit_by_code
from tests.bot.surveys.cases import close
from tests.factories import TZ, person


def test_satisfaction_for_a_range_and_a_unit(db: Database) -> None:
    closed_on = date(2026, 9, 8)
    close(db, 6101, "sec1", closed_on, late=False)
    close(db, 6102, "sec2", closed_on, late=True)
    close(db, 6103, "sec2", closed_on, late=False)
    now = datetime.combine(date(2026, 9, 9), time(10, 1), tzinfo=TZ)
    assert db.call(ask_due, now=now, tz=TZ) == 3
    assert db.call(ask_due, now=now, tz=TZ) == 0

    def follow_ups(session):  # type: ignore[no-untyped-def]
        return {f.person_id: f for f in session.exec(select(CaseFollowUp)).all()}

    rows = db.call(follow_ups)
    assert sorted(f.on_time for f in rows.values()) == [False, True, True]
    scores = {6101: 5, 6102: 2}
    for telegram_id, score in scores.items():
        someone = person(db, telegram_id)
        follow_up = rows[someone.id]
        reply = db.call(
            answer_score,
            follow_up_id=follow_up.id,
            person_id=someone.id,
            score=score,
            language="zh-TW",
            now=now + timedelta(hours=1),
        )
        assert reply.answer.value == "scored"
    whole = db.call(satisfaction_for, start=date(2026, 9, 1), end=date(2026, 9, 30))
    assert (whole.asked, whole.responses, whole.mean, whole.satisfied) == (3, 2, 3.5, 0.5)
    sec2 = db.call(fetch_unit_by_code, code="sec2")
    assert sec2 is not None
    unit = db.call(
        satisfaction_for, start=date(2026, 9, 1), end=date(2026, 9, 30), unit_id=sec2.id
    )
    assert (unit.asked, unit.responses, unit.mean, unit.satisfied) == (2, 1, 2.0, 0.0)
    before = db.call(satisfaction_for, start=date(2026, 8, 1), end=date(2026, 9, 8))
    assert (before.asked, before.responses, before.mean) == (0, 0, None)
