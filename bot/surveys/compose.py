"""What the outbox sends for this feature, composed per language from the notice's `ref_id`:
a survey's invitation (its title, what is collected and why, a start button) and the case
question (five buttons). None once there is nothing to send any more (the survey closed, the
case question answered)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from bot.surveys.followups import question_for
from bot.surveys.prompts import case_question, start_button
from kernel.i18n import t
from kernel.outgoing import Part
from storage.models.surveys import SurveyState
from storage.queries import surveys as q


@dataclass(frozen=True)
class Invitation:
    survey_id: int
    title: str
    questions: int

    def parts(self, language: str) -> list[Part]:
        text = "\n\n".join(
            (
                t(language, "surveys.invitation.title", title=self.title),
                t(language, "surveys.invitation.body", count=self.questions),
                t(language, "surveys.invitation.privacy"),
            )
        )
        return [Part(text, start_button(language, self.survey_id))]


@dataclass(frozen=True)
class CaseQuestion:
    follow_up_id: int
    number: str
    closed_on: date

    def parts(self, language: str) -> list[Part]:
        return [
            case_question(
                language, self.follow_up_id, number=self.number, closed_on=self.closed_on
            )
        ]


def invitation(session: Session, survey_id: int) -> Invitation | None:
    survey = q.fetch_survey(session=session, survey_id=survey_id)
    if survey is None or survey.state != SurveyState.OPEN.value:
        return None
    count = len(q.fetch_questions(session=session, survey_id=survey_id))
    return Invitation(survey_id=survey_id, title=survey.title, questions=count)


def case_survey_question(session: Session, follow_up_id: int) -> CaseQuestion | None:
    follow_up = question_for(session=session, follow_up_id=follow_up_id)
    if follow_up is None:
        return None
    number = q.fetch_case_number(session=session, case_id=follow_up.case_id)
    if number is None:
        return None
    return CaseQuestion(follow_up_id=follow_up_id, number=number, closed_on=follow_up.closed_on)
