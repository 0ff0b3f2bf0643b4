"""The demo's surveys (`bot/surveys/demo.py`): the half-yearly service survey of the subscribed
firms in June and November (about a third answer, a few stop half way, some leave a comment)
and the question after every closed case, answered by most; the same seed gives the same
answers; and the reports of the latest survey and of the year's case follow-ups on disk."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

from sqlmodel import Session, col, select

from bot.cases import demo as case_demo
from bot.notices import demo as notice_demo
from bot.surveys.demo import seed_demo, write_demo_reports
from bot.surveys.followups import due_at
from kernel.reporting import TAIPEI
from storage.db import Database
from storage.models import (
    Case,
    CaseFollowUp,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
)
from storage.models.cases import CaseState, Closure
from storage.models.surveys import SurveyState
from tests.bot.surveys.pages import parsed

YEAR = 2025
END = date(YEAR, 12, 31)


def _firms_and_cases(db: Database) -> None:
    """What the survey demo needs first: the notice network's firms and the year's cases."""
    rng = random.Random(3)
    with db.transaction() as session:
        notice_demo.seed_demo(session, rng=rng, year=YEAR)
    with db.transaction() as session:
        case_demo.seed_demo(session, rng=rng, year=YEAR)


def _answers(session: Session) -> list[tuple[object, ...]]:
    """Every survey answer and follow-up, by person, question and case (no ids of the demo's
    own rows: they differ from one run to another)."""
    answers = session.exec(
        select(Survey.title, SurveyInvitation.person_id, SurveyQuestion.code, SurveyAnswer)
        .join(SurveyInvitation, col(SurveyInvitation.id) == SurveyAnswer.invitation_id)
        .join(Survey, col(Survey.id) == SurveyInvitation.survey_id)
        .join(SurveyQuestion, col(SurveyQuestion.id) == SurveyAnswer.question_id)
    ).all()
    follow_ups = session.exec(select(CaseFollowUp).order_by(col(CaseFollowUp.case_id))).all()
    return sorted(
        (title, person, code, a.score, a.text, a.answered_at) for title, person, code, a in answers
    ) + [(f.case_id, f.score, f.comment, f.answered_at) for f in follow_ups]


def test_the_demo_surveys_the_firms_twice_and_asks_after_every_closed_case(
    db: Database,
) -> None:
    _firms_and_cases(db)
    with db.transaction() as session:
        seed_demo(session, rng=random.Random(7), year=YEAR, today=END)
    with db.reading() as session:
        surveys = list(session.exec(select(Survey).order_by(col(Survey.id))).all())
        invitations = list(session.exec(select(SurveyInvitation)).all())
        answers = list(session.exec(select(SurveyAnswer)).all())
        questions = {q.id: q for q in session.exec(select(SurveyQuestion)).all()}
        closed = list(
            session.exec(select(Case).where(col(Case.state) == CaseState.CLOSED.value)).all()
        )
        follow_ups = {f.case_id: f for f in session.exec(select(CaseFollowUp)).all()}
    assert [s.title for s in surveys] == [
        "114 年上半年服務滿意度調查",
        "114 年下半年服務滿意度調查",
    ]
    assert all(s.state == SurveyState.CLOSED for s in surveys)
    sent = [s.sent_at.astimezone(UTC) for s in surveys if s.sent_at]
    assert sent == [datetime(YEAR, 6, 16, 1, tzinfo=UTC), datetime(YEAR, 11, 16, 1, tzinfo=UTC)]
    for survey in surveys:
        invited = [i for i in invitations if i.survey_id == survey.id]
        started = [i for i in invited if i.position > 0]
        finished = [i for i in started if i.finished_at is not None]
        assert len(invited) >= 100
        assert 0.2 * len(invited) < len(started) < 0.5 * len(invited)
        assert 0 < len(started) - len(finished) < 0.3 * len(started)  # a few stop half way
    scores = Counter(a.score for a in answers if a.score is not None)
    assert set(scores) == {1, 2, 3, 4, 5} and scores[4] > scores[1]
    comments = [a for a in answers if a.text is not None]
    assert comments and all(questions[a.question_id].kind == "text" for a in comments)
    assert all(a.text is None for a in answers if a.score is not None)

    asked = [c for c in closed if c.closed_on and due_at(c.closed_on, TAIPEI).date() <= END]
    assert len(asked) > 400 and set(follow_ups) == {c.id for c in asked}
    answered = [f for f in follow_ups.values() if f.score is not None]
    assert 0.4 * len(follow_ups) < len(answered) < 0.7 * len(follow_ups)
    assert any(f.comment for f in answered)
    assert all(f.comment is None for f in follow_ups.values() if f.score is None)
    for case in asked:
        follow_up = follow_ups[case.id or 0]
        assert follow_up.on_time == (case.closure != Closure.LATE)
        assert (follow_up.kind, follow_up.unit_id) == (case.kind, case.unit_id)
    assert not all(f.on_time for f in follow_ups.values())


def test_the_same_seed_gives_the_same_answers(db: Database) -> None:
    _firms_and_cases(db)

    def seeded(seed: int) -> list[tuple[object, ...]]:
        with Session(db.engine) as session:  # rolled back: each seed starts from the same year
            seed_demo(session, rng=random.Random(seed), year=YEAR, today=END)
            answers = _answers(session)
            session.rollback()
        return answers

    first = seeded(7)
    assert len(first) > 500 and first == seeded(7)
    assert first != seeded(8)


def test_the_reports_of_the_latest_survey_and_the_years_cases_are_written(
    db: Database, tmp_path: Path, charts_ready: None
) -> None:
    _firms_and_cases(db)
    with db.transaction() as session:
        seed_demo(session, rng=random.Random(7), year=YEAR, today=END)
        latest = session.exec(select(Survey.id).order_by(col(Survey.id).desc())).first()
    out = tmp_path / "reports"
    with db.transaction() as session:
        files = write_demo_reports(session, out=out, today=END, language="en")
    assert sorted(files) == sorted(out.iterdir())
    ends = (".html", "-items.csv", "-comments.csv", "-trend.csv", ".png")
    findings = ("-findings.csv", "-followed.csv")  # a periodic survey's, the previous one's
    assert [f.name for f in files] == [
        *(f"survey-{latest}{end}" for end in (*ends[:2], *findings, *ends[2:])),
        *(f"case-survey-{YEAR}{end}" for end in (*ends[:2], "-groups.csv", *ends[2:])),
    ]
    assert all(f.stat().st_size > 0 for f in files)
    survey, cases = (parsed(f) for f in files if f.suffix == ".html")
    assert survey.lang == cases.lang == "en"
    trend = survey.table("Trend against the previous survey")[1]
    assert [r[0].split(" (sent")[0] for r in trend] == [
        "114 年上半年服務滿意度調查",
        "114 年下半年服務滿意度調查",
    ]
    assert len(survey.table("Comments")[1]) > 0
    units = cases.table("By unit, lowest mean first")[1]
    assert len(units) >= 8 and all(int(r[1]) > 0 for r in units)
