"""Satisfaction surveys: periodic surveys of firms and the one question after a closed case.

The link between an answer and a person is one nullable column (`person_id`, ON DELETE SET
NULL) on the invitation and on the case follow-up; `/forget` clears it and the answers stay,
anonymous. No survey table keeps a name, a username or a Telegram id.

A survey item found wanting (its lowest, or under the share satisfied the branch asks for) may
open an improvement action (`SurveyImprovement`), followed like a courtesy corrective action to
a close with a written verification; every change of it is a `SurveyImprovementEvent`.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import CreatedAt
from storage.types import AwareDateTime


class SurveyState(StrEnum):
    DRAFT = "draft"  # created, not sent yet
    OPEN = "open"
    CLOSED = "closed"


class ImprovementState(StrEnum):
    """An improvement action's lifecycle: open → in progress → closed (or cancelled)."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class QuestionKind(StrEnum):
    SCALE = "scale"  # 1 (very dissatisfied) … 5 (very satisfied)
    TEXT = "text"  # free text, may be skipped


class Survey(CreatedAt, table=True):
    """A periodic survey: a title and its questions, copied from a template when created."""

    id: int | None = Field(default=None, primary_key=True)
    template: str = Field(max_length=32, index=True)
    title: str = Field(max_length=200)
    state: str = Field(max_length=16, default=SurveyState.DRAFT.value)
    sent_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class SurveyQuestion(SQLModel, table=True):
    """One question of a survey, in both languages, asked in `position` order."""

    __table_args__ = (UniqueConstraint("survey_id", "position", name="uq_surveyquestion_pos"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", ondelete="CASCADE")
    position: int
    code: str = Field(max_length=32)
    kind: str = Field(max_length=8)
    text_zh: str = Field(max_length=300)
    text_en: str = Field(max_length=300)


class SurveyInvitation(SQLModel, table=True):
    """One recipient of a survey: where they are (`position` of the next question) and when
    they finished. `person_id` is the only link to who they are."""

    __table_args__ = (
        UniqueConstraint("survey_id", "person_id", name="uq_surveyinvitation_person"),
        Index("ix_surveyinvitation_person", "person_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", ondelete="CASCADE")
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    invited_at: datetime = Field(sa_type=AwareDateTime)
    position: int = 0
    finished_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class SurveyAnswer(SQLModel, table=True):
    """One answer: a score (1–5) or a text, once per invitation and question."""

    __table_args__ = (
        UniqueConstraint("invitation_id", "question_id", name="uq_surveyanswer_question"),
        Index("ix_surveyanswer_question", "question_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    invitation_id: int = Field(foreign_key="surveyinvitation.id", ondelete="CASCADE")
    question_id: int = Field(foreign_key="surveyquestion.id", ondelete="CASCADE")
    score: int | None = None
    text: str | None = None
    answered_at: datetime = Field(sa_type=AwareDateTime)


class CaseFollowUp(SQLModel, table=True):
    """The satisfaction question after a closed case, asked once (unique per case). The case's
    kind, unit and on-time flag are copied so the answer is reported without the case."""

    __table_args__ = (Index("ix_casefollowup_asked", "asked_at"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="casefile.id", ondelete="CASCADE", unique=True)
    person_id: int | None = Field(default=None, foreign_key="person.id", ondelete="SET NULL")
    kind: str = Field(max_length=16)
    unit_id: int | None = Field(default=None, foreign_key="unit.id")
    on_time: bool
    closed_on: date
    asked_at: datetime = Field(sa_type=AwareDateTime)
    expires_at: datetime = Field(sa_type=AwareDateTime)
    score: int | None = None
    answered_at: datetime | None = Field(default=None, sa_type=AwareDateTime)
    comment: str | None = None
    comment_done: bool = False


class SurveyImprovement(CreatedAt, table=True):
    """An improvement action answering a survey finding: the item (question), the owner unit,
    the plan and its due date (a working day), its state and, to close, a written
    verification; who opened and who closed it, by their actor names (`cli`, `telegram:ID`)."""

    __tablename__ = "surveyimprovement"
    __table_args__ = (Index("ix_surveyimprovement_survey", "survey_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", ondelete="CASCADE")
    question_id: int = Field(foreign_key="surveyquestion.id", ondelete="CASCADE")
    unit_id: int = Field(foreign_key="unit.id", index=True)
    plan: str = Field(max_length=2000)
    due_on: date
    state: str = Field(default=ImprovementState.OPEN.value, max_length=16, index=True)
    verification: str | None = Field(default=None, max_length=2000)
    opened_by: str = Field(max_length=128)
    closed_by: str | None = Field(default=None, max_length=128)
    closed_at: datetime | None = Field(default=None, sa_type=AwareDateTime)


class SurveyImprovementEvent(SQLModel, table=True):
    """One change of an improvement action: who, when, from which state to which, and why."""

    __tablename__ = "surveyimprovementevent"

    id: int | None = Field(default=None, primary_key=True)
    improvement_id: int = Field(foreign_key="surveyimprovement.id", ondelete="CASCADE", index=True)
    at: datetime = Field(sa_type=AwareDateTime)
    actor: str = Field(max_length=128)
    from_state: str | None = Field(default=None, max_length=16)
    to_state: str = Field(max_length=16)
    note: str | None = Field(default=None, max_length=2000)
