"""Courtesy tests over a half-year or a year (`courtesy report --period 2027-H1`): the calls
dated in the period, with the round report's tables (`courtesy/reports.py`), progress against
the year's courtesy target (`target set --courtesy`, else the plan's 80) and the corrective
actions opened and closed in the period.

A period is a `kernel.periods.Period` (a first half-year or a year), parsed by the caller.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from courtesy.reports import ActionRow, PeriodFigures, Report, _fill
from courtesy.schedule import check_year
from kernel.errors import UserError
from kernel.periods import Period
from kernel.reporting import TAIPEI, plain, roc_year, use_roc
from storage.models import CourtesyAction
from storage.queries.assessment import fetch_targets
from storage.queries.courtesy import fetch_actions, fetch_rounds, fetch_staff, fetch_unit_codes


def _action_rows(
    session: Session, actions: list[CourtesyAction], language: str
) -> list[ActionRow]:
    staff = {s.id: s for s in fetch_staff(session=session, active_only=False)}
    units = fetch_unit_codes(session=session)
    return [
        ActionRow(
            id=a.id or 0,
            staff=staff[a.staff_id].name,
            unit=units[staff[a.staff_id].unit_id].name_in(language),
            status=plain(language, f"courtesy.actions.status.{a.status}"),
            opened=a.created_at.astimezone(TAIPEI).date(),
            repeat=a.repeat_count + 1,
            nonconformity=a.nonconformity,
        )
        for a in actions
    ]


def build_period_report(
    session: Session,
    *,
    period: Period,
    language: str,
    pass_mark: int,
    today: date,
    western: bool = False,
) -> Report:
    """The period's report: calls dated in it, scored or not, across the rounds it touches."""
    year, first, last = period.year, period.first, period.last
    check_year(year)
    if first > today:
        raise UserError("period.future", period=period.code)
    rounds = [r for r in fetch_rounds(session=session, year=year) if r.starts_on <= last]
    if not rounds:
        raise UserError("courtesy.plan.none", year=year)
    roc = use_roc(language, western=western)
    shown = roc_year(year) if roc and language == "zh-TW" else year
    report = Report(
        name=f"courtesy-{period.code}",
        title=plain(language, "courtesy_period.title", period=period.label(language, roc=roc)),
        language=language,
        starts_on=first,
        ends_on=last,
        due_on=max(r.due_on for r in rounds),
        pass_mark=pass_mark,
        roc=roc,
    )
    _fill(session, report, rounds, rounds, today, within=(first, last))
    targets = fetch_targets(session=session, year=year)
    note = None
    if "courtesy" in targets.defaulted:
        note = plain(language, "courtesy_period.target_plan", year=shown, target=targets.courtesy)
    actions = fetch_actions(session=session)
    opened = [a for a in actions if first <= a.created_at.astimezone(TAIPEI).date() <= last]
    closed = [
        a
        for a in actions
        if a.closed_at is not None and first <= a.closed_at.astimezone(TAIPEI).date() <= last
    ]
    report.period = PeriodFigures(
        target=targets.courtesy,
        expected=round(targets.courtesy / 2) if period.first_half else targets.courtesy,
        target_note=note,
        opened=_action_rows(session, opened, language),
        closed=_action_rows(session, closed, language),
    )
    return report
