"""Evidence from the plan's recurring duties and training (基礎服務): the training sessions,
hours and attendees each unit held (一(一)3 服務一致及正確), the figures of `training list`;
and the facility duties (5S, accessibility, AED and equipment checks, website data) each
unit did on time of those due (一(二) 服務友善), the occurrences `duty list` shows."""

from __future__ import annotations

from collections import Counter

from bot.assessment.sections import Context, Section, figures, tr
from bot.duties.records import facility_outcomes
from kernel.tables import Kind
from storage.queries.duties import fetch_training_progress


def training_source(context: Context) -> Section:
    """服務一致及正確: training held in the period (up to today), per unit."""
    section = Section(
        "basic",
        "training",
        figures(
            ("col_training_sessions", Kind.COUNT),
            ("col_training_hours", Kind.FIGURE),
            ("col_training_attendees", Kind.COUNT),
        ),
        unit_header="assessment.evidence.col_unit",
    )
    progress = fetch_training_progress(
        session=context.session, period=context.period, today=context.today
    )
    for unit in context.units:
        held = progress.by_unit.get(unit.code)
        section.per_unit[unit.code] = (
            [held.sessions, held.hours, held.attendees] if held else [0, 0.0, 0]
        )
    if not progress.total.sessions:
        section.note = tr(context, "no_training")
    return section


def facilities_source(context: Context) -> Section:
    """服務友善: the facility duties due in the period (up to today), done on time and late,
    per owner unit."""
    section = Section(
        "basic",
        "facilities",
        figures(
            ("col_duties_due", Kind.COUNT),
            ("col_duties_on_time", Kind.COUNT),
            ("col_duties_late", Kind.COUNT),
            ("col_duties_on_time_rate", Kind.PERCENT),
        ),
        unit_header="assessment.evidence.col_unit",
    )
    outcomes = facility_outcomes(
        context.session, first=context.period.first, last=min(context.period.last, context.today)
    )
    due = Counter(o.unit_code for o in outcomes)
    on_time = Counter(o.unit_code for o in outcomes if o.on_time)
    late = Counter(o.unit_code for o in outcomes if o.done_on is not None and not o.on_time)
    for unit in context.units:
        n = due.get(unit.code, 0)
        section.per_unit[unit.code] = [
            n,
            on_time.get(unit.code, 0),
            late.get(unit.code, 0),
            on_time.get(unit.code, 0) / n if n else None,
        ]
    if not outcomes:
        section.note = tr(context, "no_duties")
    return section
