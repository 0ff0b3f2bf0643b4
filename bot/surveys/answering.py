"""A firm answers a survey: question by question, may stop and resume where it stopped, and
answers once. The invitation's `position` is the next question; a button for any other
position, another person's invitation, or a survey no longer open changes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from bot.surveys.prompts import question_prompt
from kernel.i18n import t
from kernel.outgoing import Part
from storage.models.surveys import QuestionKind, SurveyInvitation, SurveyQuestion, SurveyState
from storage.queries import surveys as q

MAX_TEXT = 2000


class Outcome(StrEnum):
    STALE = "stale"  # an old button, another's invitation, nothing to answer
    CLOSED = "closed"  # the survey has ended
    DONE_BEFORE = "done_before"  # answered already, once is all
    ASK = "ask"  # the next question is `prompt`
    FINISHED = "finished"  # that was the last answer


@dataclass(frozen=True)
class Step:
    outcome: Outcome
    part: Part | None = None
    invitation_id: int | None = None
    expects_text: bool = False
    echo: str | None = None
    """What the answered question's message now says (the question and the answer chosen)."""


def _next(
    session: Session, invitation: SurveyInvitation, questions: list[SurveyQuestion], language: str
) -> Step:
    assert invitation.id is not None
    if invitation.position >= len(questions):
        return Step(Outcome.FINISHED, Part(t(language, "surveys.thanks")), invitation.id)
    question = questions[invitation.position]
    prompt = question_prompt(
        question, invitation_id=invitation.id, count=len(questions), language=language
    )
    return Step(
        Outcome.ASK, prompt, invitation.id, expects_text=question.kind == QuestionKind.TEXT
    )


def _open_invitation(
    session: Session, *, invitation: SurveyInvitation | None, person_id: int
) -> tuple[SurveyInvitation, list[SurveyQuestion]] | Step:
    if invitation is None or invitation.person_id != person_id:
        return Step(Outcome.STALE)
    survey = q.fetch_survey(session=session, survey_id=invitation.survey_id)
    if survey is None or survey.state != SurveyState.OPEN.value:
        return Step(Outcome.CLOSED)
    if invitation.finished_at is not None:
        return Step(Outcome.DONE_BEFORE)
    return invitation, q.fetch_questions(session=session, survey_id=invitation.survey_id)


def start(session: Session, *, survey_id: int, person_id: int, language: str) -> Step:
    """The start (or resume) button of an invitation: the question where the person is."""
    invitation = q.fetch_invitation_of(session=session, survey_id=survey_id, person_id=person_id)
    found = _open_invitation(session, invitation=invitation, person_id=person_id)
    if isinstance(found, Step):
        return found
    invitation, questions = found
    return _next(session, invitation, questions, language)


def _record(
    session: Session,
    invitation: SurveyInvitation,
    question: SurveyQuestion,
    *,
    score: int | None,
    text: str | None,
    total: int,
    now: datetime,
) -> None:
    assert invitation.id is not None and question.id is not None
    if score is not None or text is not None:
        q.insert_answer(
            session=session,
            invitation_id=invitation.id,
            question_id=question.id,
            score=score,
            text=text,
            now=now,
        )
    invitation.position += 1
    if invitation.position >= total:
        invitation.finished_at = now
    session.add(invitation)
    session.flush()


def answer_scale(
    session: Session,
    *,
    invitation_id: int,
    person_id: int,
    position: int,
    score: int,
    language: str,
    now: datetime,
) -> Step:
    """A 1–5 button: recorded if it is the question the person is at, then the next one."""
    invitation = q.fetch_invitation(session=session, invitation_id=invitation_id, lock=True)
    found = _open_invitation(session, invitation=invitation, person_id=person_id)
    if isinstance(found, Step):
        return found
    invitation, questions = found
    if not 1 <= score <= 5 or position != invitation.position or position >= len(questions):
        return Step(Outcome.STALE)
    question = questions[position]
    if question.kind != QuestionKind.SCALE:
        return Step(Outcome.STALE)
    _record(session, invitation, question, score=score, text=None, total=len(questions), now=now)
    step = _next(session, invitation, questions, language)
    echo = t(
        language,
        "surveys.answered",
        number=position + 1,
        count=len(questions),
        text=question.text_zh if language == "zh-TW" else question.text_en,
        answer=t(language, f"surveys.scale.{score}", score=score),
    )
    return Step(step.outcome, step.part, step.invitation_id, step.expects_text, echo=echo)


def answer_text(
    session: Session,
    *,
    invitation_id: int,
    person_id: int,
    text: str | None,
    language: str,
    now: datetime,
) -> Step:
    """A typed answer (or `/skip` when `text` is None) to the free-text question the person
    is at; anything else is stale."""
    invitation = q.fetch_invitation(session=session, invitation_id=invitation_id, lock=True)
    found = _open_invitation(session, invitation=invitation, person_id=person_id)
    if isinstance(found, Step):
        return found
    invitation, questions = found
    if invitation.position >= len(questions):
        return Step(Outcome.STALE)
    question = questions[invitation.position]
    if question.kind != QuestionKind.TEXT:
        return Step(Outcome.STALE)
    cleaned = (text or "").strip() or None
    if cleaned is not None and len(cleaned) > MAX_TEXT:  # said, not cut: the person shortens it
        refusal = t(language, "surveys.too_long", length=len(cleaned), limit=MAX_TEXT)
        return Step(Outcome.ASK, Part(refusal), invitation_id=invitation.id, expects_text=True)
    _record(session, invitation, question, score=None, text=cleaned, total=len(questions), now=now)
    return _next(session, invitation, questions, language)
