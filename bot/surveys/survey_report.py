"""The report of one periodic survey (`survey report ID`): its questions, comments and the
trend against the earlier surveys of its template."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from bot.surveys.reports import Report, Row, TrendRow, local_day, lowest_first
from bot.surveys.statistics import Figures, figures_of
from kernel.errors import UserError
from kernel.i18n import catalogue
from kernel.reporting import (
    plain,
    use_roc,
)
from storage.models import Survey, SurveyQuestion
from storage.models.surveys import QuestionKind
from storage.queries import surveys as q


def item_name(question: SurveyQuestion, language: str) -> str:
    """A template question's short name (洽公環境), else the question as asked."""
    key = f"surveys.item.{question.code}"
    if key in catalogue(language):
        return plain(language, key)
    return question.text_zh if language == "zh-TW" else question.text_en


def _pooled(scores: dict[int, dict[int, int]], question_ids: Iterable[int]) -> Figures:
    total: dict[int, int] = {}
    for qid in question_ids:
        for score, count in scores.get(qid, {}).items():
            total[score] = total.get(score, 0) + count
    return figures_of(total)


def _overall(session: Session, survey: Survey) -> tuple[Figures, dict[str, float | None]]:
    """A survey's overall figures (its `overall` question, else every scale answer) and the
    mean of each question by code."""
    assert survey.id is not None
    questions = q.fetch_questions(session=session, survey_id=survey.id)
    scores = q.fetch_score_counts(session=session, survey_id=survey.id)
    scale = [x for x in questions if x.kind == QuestionKind.SCALE and x.id is not None]
    overall = [x.id for x in scale if x.code == "overall"] or [x.id for x in scale]
    means = {x.code: figures_of(scores.get(x.id or 0, {})).mean for x in scale}
    return _pooled(scores, [i for i in overall if i is not None]), means


def build_survey_report(
    session: Session, *, survey_id: int, language: str, western: bool = False
) -> Report:
    """The report of one survey, against the previous survey of its template."""
    survey = q.fetch_survey(session=session, survey_id=survey_id)
    if survey is None:
        raise UserError("surveys.errors.unknown_survey", survey=survey_id)
    roc = use_roc(language, western=western)
    questions = q.fetch_questions(session=session, survey_id=survey_id)
    scores = q.fetch_score_counts(session=session, survey_id=survey_id)
    counts = q.count_responses(session=session, survey_ids=[survey_id])[survey_id]
    previous = q.fetch_previous_survey(session=session, survey=survey)
    before = _overall(session, previous) if previous is not None else None
    items = [
        Row(
            label=item_name(x, language),
            label_en=item_name(x, "en"),
            figures=figures_of(scores.get(x.id or 0, {})),
            previous=before[1].get(x.code) if before else None,
        )
        for x in questions
        if x.kind == QuestionKind.SCALE
    ]
    names = {x.id: item_name(x, language) for x in questions}
    comments = [
        (names.get(qid, ""), text)
        for qid, text in q.fetch_texts(session=session, survey_id=survey_id)
    ]
    trend = []
    if previous is not None and before is not None and previous.id is not None:
        prev_counts = q.count_responses(session=session, survey_ids=[previous.id])[previous.id]
        trend.append(
            TrendRow(
                label=plain(
                    language,
                    "surveys.report.trend_label",
                    title=previous.title,
                    day=local_day(previous.sent_at, language, roc),
                ),
                invited=prev_counts.invited,
                responses=prev_counts.responded,
                figures=before[0],
            )
        )
    trend.append(
        TrendRow(
            label=plain(
                language,
                "surveys.report.trend_label",
                title=survey.title,
                day=local_day(survey.sent_at, language, roc),
            ),
            invited=counts.invited,
            responses=counts.responded,
            figures=_overall(session, survey)[0],
        )
    )
    sent = local_day(survey.sent_at, language, roc)
    closed = local_day(survey.closed_at, language, roc) if survey.closed_at else None
    return Report(
        name=f"survey-{survey_id}",
        language=language,
        roc=roc,
        title=plain(language, "surveys.report.title", survey=survey_id),
        subject=survey.title,
        period=f"{sent} – {closed}" if closed else sent,
        invited=counts.invited,
        responded=counts.responded,
        finished=counts.finished,
        items=lowest_first(items),
        comments=comments,
        trend=trend,
    )
