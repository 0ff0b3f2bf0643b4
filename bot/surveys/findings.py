"""A periodic survey's findings: its lowest item (lowest mean, as the report lists them) and
every item whose share satisfied is under the threshold (`SURVEY_FINDING_THRESHOLD`, 80% by
default). Read by the report, which marks them, and by the improvement actions, which may
only answer a finding."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session

from bot.surveys.statistics import Figures, figures_of
from kernel.i18n import catalogue
from kernel.reporting import plain
from storage.models import SurveyQuestion
from storage.models.surveys import QuestionKind
from storage.queries import surveys as q

DEFAULT_THRESHOLD = 80
"""The share satisfied (%) under which an item is a finding, when the setting is not given."""


class Finding(StrEnum):
    """Why an item is a finding (both reasons may hold)."""

    LOWEST = "lowest"
    BELOW = "below"


def item_name(code: str, text_zh: str, text_en: str, language: str) -> str:
    """A template question's short name (洽公環境), else the question as asked."""
    key = f"surveys.item.{code}"
    if key in catalogue(language):
        return plain(language, key)
    return text_zh if language == "zh-TW" else text_en


def finding_label(reasons: tuple[Finding, ...], language: str, threshold: int) -> str:
    """Why an item is a finding, in words: 最低項目、滿意比例低於 80%."""
    joiner = "、" if language == "zh-TW" else "; "
    return joiner.join(
        plain(language, f"surveys.report.finding_{r.value}", threshold=threshold) for r in reasons
    )


@dataclass(frozen=True)
class ItemFigures:
    """A scale question of a survey and its figures."""

    question: SurveyQuestion
    figures: Figures

    @property
    def question_id(self) -> int:
        assert self.question.id is not None
        return self.question.id


def item_figures(session: Session, *, survey_id: int) -> list[ItemFigures]:
    """Each scale question of the survey with its figures, in the order asked."""
    scores = q.fetch_score_counts(session=session, survey_id=survey_id)
    return [
        ItemFigures(x, figures_of(scores.get(x.id or 0, {})))
        for x in q.fetch_questions(session=session, survey_id=survey_id)
        if x.kind == QuestionKind.SCALE
    ]


def findings_of(items: list[ItemFigures], threshold: int) -> dict[int, tuple[Finding, ...]]:
    """Question id → why it is a finding, for the items that are: the lowest mean among the
    items with answers (the first asked on a tie) and every share satisfied under
    `threshold` percent. Items without answers are never findings."""
    answered = [i for i in items if i.figures.mean is not None]
    found: dict[int, tuple[Finding, ...]] = {}
    if not answered:
        return found
    lowest = min(answered, key=lambda i: (i.figures.mean, items.index(i)))
    for item in answered:
        reasons = []
        if item is lowest:
            reasons.append(Finding.LOWEST)
        f = item.figures
        if 100 * (f.distribution[3] + f.distribution[4]) < threshold * f.responses:
            reasons.append(Finding.BELOW)
        if reasons:
            found[item.question_id] = tuple(reasons)
    return found


def survey_findings(
    session: Session, *, survey_id: int, threshold: int
) -> tuple[list[ItemFigures], dict[int, tuple[Finding, ...]]]:
    """A survey's scale items and its findings (`findings_of`)."""
    items = item_figures(session, survey_id=survey_id)
    return items, findings_of(items, threshold)
