"""Improvement actions answering survey findings: writing them and their history, and reading
them with the names a list, a report or the evidence shows (the survey's title, the item's
code and texts, the owner unit)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from storage.models import Survey, SurveyQuestion, Unit
from storage.models.surveys import (
    ImprovementState,
    SurveyImprovement,
    SurveyImprovementEvent,
)

LIVE_STATES = (ImprovementState.OPEN.value, ImprovementState.IN_PROGRESS.value)
"""The states of an action still to be done."""


def insert_improvement(session: Session, *, improvement: SurveyImprovement) -> SurveyImprovement:
    session.add(improvement)
    session.flush()
    return improvement


def fetch_improvement(
    session: Session, *, improvement_id: int, lock: bool = False
) -> SurveyImprovement | None:
    query = sa_select(SurveyImprovement).where(col(SurveyImprovement.id) == improvement_id)
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalars().first()


def add_improvement_event(
    session: Session,
    *,
    improvement_id: int,
    actor: str,
    from_state: str | None,
    to_state: str,
    note: str | None,
    at: datetime,
) -> None:
    session.add(
        SurveyImprovementEvent(
            improvement_id=improvement_id,
            actor=actor,
            from_state=from_state,
            to_state=to_state,
            note=note,
            at=at,
        )
    )
    session.flush()


def fetch_improvement_events(
    session: Session, *, improvement_id: int
) -> list[SurveyImprovementEvent]:
    """An action's history, oldest first."""
    return list(
        session.execute(
            sa_select(SurveyImprovementEvent)
            .where(col(SurveyImprovementEvent.improvement_id) == improvement_id)
            .order_by(col(SurveyImprovementEvent.at), col(SurveyImprovementEvent.id))
        )
        .scalars()
        .all()
    )


@dataclass(frozen=True)
class ImprovementView:
    """An action with what a reader needs beside it."""

    improvement: SurveyImprovement
    survey_title: str
    question_code: str
    question_zh: str
    question_en: str
    unit_code: str
    unit_zh: str
    unit_en: str

    @property
    def id(self) -> int:
        assert self.improvement.id is not None
        return self.improvement.id

    def unit_name(self, language: str) -> str:
        return self.unit_zh if language == "zh-TW" else self.unit_en


def fetch_improvement_views(
    session: Session,
    *,
    states: Sequence[str] | None = None,
    survey_ids: Sequence[int] | None = None,
    unit_ids: Sequence[int] | None = None,
    improvement_ids: Sequence[int] | None = None,
) -> list[ImprovementView]:
    """Actions (of `states`, of `survey_ids`, owned by `unit_ids`, with `improvement_ids`;
    None: any), by id."""
    query = (
        sa_select(
            SurveyImprovement,
            col(Survey.title),
            col(SurveyQuestion.code),
            col(SurveyQuestion.text_zh),
            col(SurveyQuestion.text_en),
            col(Unit.code),
            col(Unit.name_zh),
            col(Unit.name_en),
        )
        .join(Survey, col(Survey.id) == SurveyImprovement.survey_id)
        .join(SurveyQuestion, col(SurveyQuestion.id) == SurveyImprovement.question_id)
        .join(Unit, col(Unit.id) == SurveyImprovement.unit_id)
        .order_by(col(SurveyImprovement.id))
    )
    if states is not None:
        query = query.where(col(SurveyImprovement.state).in_(list(states)))
    if survey_ids is not None:
        query = query.where(col(SurveyImprovement.survey_id).in_(list(survey_ids)))
    if unit_ids is not None:
        query = query.where(col(SurveyImprovement.unit_id).in_(list(unit_ids)))
    if improvement_ids is not None:
        query = query.where(col(SurveyImprovement.id).in_(list(improvement_ids)))
    return [ImprovementView(*row) for row in session.execute(query).all()]


def fetch_live_improvement_of(
    session: Session, *, survey_id: int, question_id: int
) -> SurveyImprovement | None:
    """The action of this survey's item that is open or in progress, if any."""
    return (
        session.execute(
            sa_select(SurveyImprovement).where(
                col(SurveyImprovement.survey_id) == survey_id,
                col(SurveyImprovement.question_id) == question_id,
                col(SurveyImprovement.state).in_(LIVE_STATES),
            )
        )
        .scalars()
        .first()
    )


def fetch_surveys_sent_between(
    session: Session, *, start: datetime, end: datetime
) -> list[Survey]:
    """Surveys sent in [start, end), in the order they were sent."""
    return list(
        session.execute(
            sa_select(Survey)
            .where(col(Survey.sent_at) >= start, col(Survey.sent_at) < end)
            .order_by(col(Survey.sent_at), col(Survey.id))
        )
        .scalars()
        .all()
    )


def fetch_improvements_opened_or_closed(
    session: Session, *, start: datetime, end: datetime
) -> list[SurveyImprovement]:
    """Actions opened or closed in [start, end)."""
    return list(
        session.execute(
            sa_select(SurveyImprovement).where(
                (
                    (col(SurveyImprovement.created_at) >= start)
                    & (col(SurveyImprovement.created_at) < end)
                )
                | (
                    (col(SurveyImprovement.closed_at) >= start)
                    & (col(SurveyImprovement.closed_at) < end)
                )
            )
        )
        .scalars()
        .all()
    )


def fetch_live_improvements_due_by(session: Session, *, day: date) -> list[ImprovementView]:
    """Open or in-progress actions due on or before `day` (reminders look a few days ahead)."""
    return [
        v
        for v in fetch_improvement_views(session=session, states=LIVE_STATES)
        if v.improvement.due_on <= day
    ]
