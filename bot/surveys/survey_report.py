"""The report of one periodic survey (`survey report ID`): its questions with its findings
marked, the findings with their improvement actions, the comments, and the trend against the
previous survey of its template (with that survey's findings beside the items' new shares)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from sqlmodel import Session

from bot.surveys import findings as fi
from bot.surveys.reports import (
    FindingRow,
    FollowRow,
    Report,
    Row,
    TrendRow,
    local_day,
    lowest_first,
)
from bot.surveys.statistics import Figures, figures_of
from kernel.csvfiles import csv_day
from kernel.errors import UserError
from kernel.reporting import (
    plain,
    use_roc,
)
from storage.models import Survey, SurveyQuestion
from storage.models.surveys import QuestionKind
from storage.queries import surveys as q
from storage.queries import surveys_improvements as qi


def item_name(question: SurveyQuestion, language: str) -> str:
    """A template question's short name (洽公環境), else the question as asked."""
    return fi.item_name(question.code, question.text_zh, question.text_en, language)


def _actions_by_question(session: Session, survey_id: int) -> dict[int, list[qi.ImprovementView]]:
    found: dict[int, list[qi.ImprovementView]] = {}
    for view in qi.fetch_improvement_views(session=session, survey_ids=[survey_id]):
        found.setdefault(view.improvement.question_id, []).append(view)
    return found


def _finding_rows(
    session: Session,
    survey_id: int,
    items: list[fi.ItemFigures],
    found: dict[int, tuple[fi.Finding, ...]],
    language: str,
    threshold: int,
    roc: bool,
) -> list[FindingRow]:
    """Each finding, lowest mean first, once per improvement action (or once without)."""
    actions = _actions_by_question(session, survey_id)
    ordered = sorted(
        (i for i in items if i.question_id in found),
        key=lambda i: (i.figures.mean or 0.0, items.index(i)),
    )
    rows = []
    for item in ordered:
        base = FindingRow(
            item=item_name(item.question, language),
            satisfied=item.figures.satisfied,
            why=fi.finding_label(found[item.question_id], language, threshold),
            state=plain(language, "surveys.report.no_action"),
        )
        rows += [
            replace(
                base,
                action=view.id,
                unit=view.unit_name(language),
                plan=view.improvement.plan,
                due=csv_day(view.improvement.due_on, language, roc=roc),
                state=plain(language, f"improvements.state.{view.improvement.state}"),
                verification=view.improvement.verification,
            )
            for view in actions.get(item.question_id, [])
        ] or [base]
    return rows


def _followed(
    session: Session,
    previous: Survey,
    items: list[fi.ItemFigures],
    language: str,
    threshold: int,
) -> list[FollowRow]:
    """The previous survey's findings, how their actions stand, and the item's share now."""
    assert previous.id is not None
    before, found = fi.survey_findings(session, survey_id=previous.id, threshold=threshold)
    actions = _actions_by_question(session, previous.id)
    now = {i.question.code: i.figures.satisfied for i in items}
    separator = "；" if language == "zh-TW" else "; "
    rows = []
    for item in before:
        if item.question_id not in found:
            continue
        listed = [
            plain(
                language,
                "surveys.report.action_state",
                id=v.id,
                state=plain(language, f"improvements.state.{v.improvement.state}"),
            )
            for v in actions.get(item.question_id, [])
        ]
        rows.append(
            FollowRow(
                item=item_name(item.question, language),
                before=item.figures.satisfied,
                why=fi.finding_label(found[item.question_id], language, threshold),
                actions=separator.join(listed) or plain(language, "surveys.report.no_action"),
                now=now.get(item.question.code),
            )
        )
    return rows


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
    session: Session,
    *,
    survey_id: int,
    language: str,
    western: bool = False,
    threshold: int = fi.DEFAULT_THRESHOLD,
) -> Report:
    """The report of one survey, against the previous survey of its template; an item whose
    share satisfied is under `threshold` percent, and the lowest, are findings."""
    survey = q.fetch_survey(session=session, survey_id=survey_id)
    if survey is None:
        raise UserError("surveys.errors.unknown_survey", survey=survey_id)
    roc = use_roc(language, western=western)
    questions = q.fetch_questions(session=session, survey_id=survey_id)
    scale, found = fi.survey_findings(session, survey_id=survey_id, threshold=threshold)
    counts = q.count_responses(session=session, survey_ids=[survey_id])[survey_id]
    previous = q.fetch_previous_survey(session=session, survey=survey)
    before = _overall(session, previous) if previous is not None else None
    items = [
        Row(
            label=item_name(x.question, language),
            label_en=item_name(x.question, "en"),
            figures=x.figures,
            previous=before[1].get(x.question.code) if before else None,
            finding=(
                fi.finding_label(found[x.question_id], language, threshold)
                if x.question_id in found
                else None
            ),
        )
        for x in scale
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
        threshold=threshold,
        findings=_finding_rows(session, survey_id, scale, found, language, threshold, roc),
        followed=_followed(session, previous, scale, language, threshold) if previous else [],
    )
