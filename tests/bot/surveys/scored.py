"""A sent survey whose answers are written straight into the database: a score list per
question (one score per respondent, in the same order), for reports with many respondents."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.surveys.admin import create_survey
from storage.db import Database
from storage.models import Person, Survey
from storage.models.surveys import SurveyState
from storage.queries import surveys as q

SHARES = {
    "environment": [5] * 45 + [3] * 5,  # 90% satisfied, mean 4.80
    "etiquette": [4] * 42 + [3] * 8,  # 84%, mean 3.84
    "professionalism": [5] * 39 + [2] * 11,  # 78%: under 80%, mean 4.34
    "measures": [4] * 31 + [2] * 19,  # 62%: under 80% and the lowest mean, 3.24
    "overall": [4] * 44 + [3] * 6,  # 88%, mean 3.88
}
"""Fifty respondents: `measures` at 62% satisfied is the lowest item, `professionalism` at 78%
is under the threshold; the others are not findings."""


def scored_survey(
    db: Database,
    title: str,
    scores: dict[str, list[int]],
    *,
    sent: datetime,
    invited: int | None = None,
    first_chat: int = 70_000,
) -> int:
    """A survey of the `service` template, sent at `sent`, answered with `scores`; `invited`
    people invited (at least the respondents)."""
    survey_id = db.call(create_survey, template="service", title=title, now=sent)
    respondents = len(next(iter(scores.values())))

    def write(session: Session) -> None:
        survey = session.get(Survey, survey_id)
        assert survey is not None
        survey.state = SurveyState.OPEN.value
        survey.sent_at = sent
        session.add(survey)
        people = []
        for n in range(invited or respondents):
            person = Person(telegram_id=first_chat + n)
            session.add(person)
            people.append(person)
        session.flush()
        q.insert_invitations(
            session=session,
            survey_id=survey_id,
            person_ids=[p.id for p in people if p.id is not None],
            now=sent,
        )
        questions = {x.code: x for x in q.fetch_questions(session=session, survey_id=survey_id)}
        for index, person in enumerate(people[:respondents]):
            assert person.id is not None
            invitation = q.fetch_invitation_of(
                session=session, survey_id=survey_id, person_id=person.id
            )
            assert invitation is not None and invitation.id is not None
            for code, column in scores.items():
                q.insert_answer(
                    session=session,
                    invitation_id=invitation.id,
                    question_id=questions[code].id or 0,
                    score=column[index],
                    text=None,
                    now=sent + timedelta(minutes=index),
                )
            invitation.finished_at = sent + timedelta(minutes=index)
            session.add(invitation)

    db.call(write)
    return survey_id
