"""服務評價 evidence from the periodic service survey and its findings (四(一)1(2)
檢討改善情形), beside the question after a closed case (`evidence.satisfaction_source`).

A periodic survey goes to subscribed firms, whose answers are not attributable to a unit, so
each survey sent in the period is a row of the branch: invited, responses, 回收率 and the share
satisfied overall, taken from the survey's own report (`build_survey_report`), so the two never
disagree. The improvement actions answering its findings belong to their owner unit: opened
and closed in the period, per unit.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta

from bot.assessment.sections import Context, Section, figures, tr
from bot.surveys.survey_report import build_survey_report
from kernel.tables import Kind
from storage.queries.surveys_improvements import (
    fetch_improvements_opened_or_closed,
    fetch_surveys_sent_between,
)


def _window(context: Context) -> tuple[datetime, datetime]:
    """The period as moments: its first day's start to the day after its last (or today)."""
    last = min(context.period.last, context.today)
    start = datetime.combine(context.period.first, time(0), tzinfo=context.tz)
    return start, datetime.combine(last + timedelta(days=1), time(0), tzinfo=context.tz)


def periodic_survey_source(context: Context) -> Section:
    """服務滿意情形 (定期調查): each periodic survey sent in the period, as its report gives it."""
    section = Section(
        "evaluation",
        "periodic_survey",
        figures(
            ("col_periodic_invited", Kind.COUNT),
            ("col_periodic_responses", Kind.COUNT),
            ("col_periodic_rate", Kind.PERCENT),
            ("col_periodic_satisfied", Kind.PERCENT),
        ),
    )
    start, end = _window(context)
    for survey in fetch_surveys_sent_between(session=context.session, start=start, end=end):
        assert survey.id is not None
        report = build_survey_report(
            context.session, survey_id=survey.id, language=context.language
        )
        overall = report.trend[-1].figures
        rate = None if report.rate_pct is None else report.rate_pct / 100
        label = f"#{survey.id} {survey.title}"
        section.rows.append((label, [report.invited, report.responded, rate, overall.satisfied]))
    section.note = tr(context, "periodic_branch" if section.rows else "no_periodic_survey")
    return section


def improvements_source(context: Context) -> Section:
    """檢討改善情形: improvement actions answering survey findings, opened and closed in the
    period, per owner unit."""
    section = Section(
        "evaluation",
        "improvements",
        figures(
            ("col_improvements_opened", Kind.COUNT),
            ("col_improvements_closed", Kind.COUNT),
        ),
    )
    start, end = _window(context)
    found = fetch_improvements_opened_or_closed(session=context.session, start=start, end=end)
    opened: Counter[int | None] = Counter(a.unit_id for a in found if start <= a.created_at < end)
    closed: Counter[int | None] = Counter(
        a.unit_id
        for a in found
        if a.state == "closed" and a.closed_at is not None and start <= a.closed_at < end
    )
    for unit in context.units:
        section.per_unit[unit.code] = [opened.get(unit.id, 0), closed.get(unit.id, 0)]
    return section
