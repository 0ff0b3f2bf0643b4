"""Surveys for `bsmi-desk demo`: the half-yearly service survey of the subscribed firms (about
a third answer, a few stop half way) and the question after each closed case, answered by most
reporters; then the report of the latest survey and the year's case follow-ups."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select

from bot.surveys.case_report import build_case_report
from bot.surveys.followups import ANSWER_DAYS, due_at
from bot.surveys.report_files import write_report
from bot.surveys.survey_report import build_survey_report
from bot.surveys.templates import template_questions
from kernel.periods import HALVES_AND_YEARS, parse_period
from kernel.reporting import TAIPEI
from storage.models import Case, CaseFollowUp, Survey
from storage.models.cases import CaseState, Closure
from storage.models.surveys import SurveyState
from storage.queries import surveys as q

_COMMENTS = (
    "等候區座位可以再多一些。",
    "承辦人員說明很清楚，謝謝。",
    "希望線上申辦的表單能更簡化。",
    "停車位不足，洽公不便。",
    "電話常常打不通。",
    "處理速度很快，值得肯定。",
    "網站公告不容易找到。",
)
_WEIGHTS = {  # scores 1–5, by question: the environment and measures score lower
    "environment": (3, 8, 25, 40, 24),
    "etiquette": (1, 3, 12, 44, 40),
    "professionalism": (1, 4, 15, 45, 35),
    "measures": (4, 10, 28, 38, 20),
    "overall": (1, 5, 18, 46, 30),
}


def _score(rng: random.Random, weights: tuple[int, ...]) -> int:
    return rng.choices((1, 2, 3, 4, 5), weights=weights)[0]


def _survey(session: Session, rng: random.Random, title: str, sent: datetime) -> None:
    survey = q.insert_survey(
        session=session,
        template="service",
        title=title,
        questions=template_questions("service"),
        now=sent - timedelta(days=1),
    )
    assert survey.id is not None
    chats = q.fetch_subscriber_chats(session=session, category_ids=None)
    q.insert_invitations(
        session=session, survey_id=survey.id, person_ids=[p for p, _ in chats], now=sent
    )
    questions = q.fetch_questions(session=session, survey_id=survey.id)
    for person_id, _ in chats:
        if rng.random() > 0.35:
            continue
        invitation = q.fetch_invitation_of(
            session=session, survey_id=survey.id, person_id=person_id
        )
        assert invitation is not None and invitation.id is not None
        stop = len(questions) if rng.random() > 0.1 else rng.randint(1, len(questions) - 1)
        when = sent + timedelta(hours=rng.randint(1, 240))
        for question in questions[:stop]:
            assert question.id is not None
            if question.kind == "text":
                text = rng.choice(_COMMENTS) if rng.random() < 0.4 else None
                if text is not None:
                    q.insert_answer(
                        session=session,
                        invitation_id=invitation.id,
                        question_id=question.id,
                        score=None,
                        text=text,
                        now=when,
                    )
            else:
                score = _score(rng, _WEIGHTS[question.code])
                q.insert_answer(
                    session=session,
                    invitation_id=invitation.id,
                    question_id=question.id,
                    score=score,
                    text=None,
                    now=when,
                )
        invitation.position = stop
        invitation.finished_at = when if stop == len(questions) else None
        session.add(invitation)
    survey.state = SurveyState.CLOSED.value
    survey.sent_at = sent
    survey.closed_at = sent + timedelta(days=21)
    session.add(survey)
    session.flush()


def seed_demo(session: Session, *, rng: random.Random, year: int, today: date) -> None:
    """Two service surveys (June and November, those before `today`) and a follow-up for every
    case closed by `today`. Needs the notice and case demos first."""
    for month, half in ((6, "上半年"), (11, "下半年")):
        sent = datetime(year, month, 16, 1, tzinfo=UTC)
        if sent.date() <= today:
            _survey(session, rng, f"{year - 1911} 年{half}服務滿意度調查", sent)
    closed = session.exec(
        select(Case).where(col(Case.state) == CaseState.CLOSED.value).order_by(col(Case.id))
    ).all()
    for case in closed:
        assert case.id is not None and case.closed_on is not None
        asked = due_at(case.closed_on, TAIPEI)
        if asked.date() > today:
            continue
        late = case.closure == Closure.LATE.value
        answered = rng.random() < 0.55
        score = (
            _score(rng, (8, 14, 25, 33, 20) if late else (2, 4, 14, 42, 38)) if answered else None
        )
        q.insert_follow_up(
            session=session,
            follow_up=CaseFollowUp(
                case_id=case.id,
                kind=case.kind,
                unit_id=case.unit_id,
                on_time=not late,
                closed_on=case.closed_on,
                asked_at=asked,
                expires_at=asked + timedelta(days=ANSWER_DAYS),
                score=score,
                answered_at=asked + timedelta(hours=rng.randint(1, 48)) if answered else None,
                comment=rng.choice(_COMMENTS) if answered and rng.random() < 0.2 else None,
                comment_done=answered,
            ),
        )


def write_demo_reports(session: Session, *, out: Path, today: date, language: str) -> list[Path]:
    """The latest survey's report and the case follow-ups of `today`'s year."""
    files: list[Path] = []
    latest = session.exec(select(Survey).order_by(col(Survey.id).desc())).first()
    if latest is not None and latest.id is not None:
        report = build_survey_report(session=session, survey_id=latest.id, language=language)
        files += write_report(report, out)
    cases = build_case_report(
        session=session,
        period=parse_period(str(today.year), kinds=HALVES_AND_YEARS),
        language=language,
    )
    return files + write_report(cases, out)
