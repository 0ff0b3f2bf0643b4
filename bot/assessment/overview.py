"""What chat asks of the self-assessment: `/assessment [period]` (the period's state, its
deadline, what is missing, with the 附表2 table and the evidence), `/summary 2027-H1`
(the complaint analysis of a half-year or year), each one use case with its audit row, and
`/targets` (years' targets with who set them and when)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.assessment.evidence import Evidence, build_evidence
from bot.assessment.report import AssessmentTable, build_table
from bot.assessment.scoring import State, period_state
from bot.cases.periods import PeriodAnalysis, build_period_analysis
from kernel import workcalendar
from kernel.periods import ASSESSED, Period, current_assessment_period, parse_period
from kernel.reporting import use_roc
from storage.queries.assessment import Targets, fetch_targets, fetch_year_targets
from storage.queries.audit import record_audit

_PERIOD_LIKE = re.compile(r"^\d{4}(-[Hh]\d?)?$")


def looks_like_period(text: str) -> bool:
    """`2027` or `2027-H1` (a month is `2027-01`): what /summary hands to the period analysis."""
    return bool(_PERIOD_LIKE.match(text.strip()))


@dataclass(frozen=True)
class Overview:
    state: State
    working_days_left: int
    table: AssessmentTable
    evidence: Evidence | None
    """None while the period has not begun (nothing to show yet)."""

    @property
    def period(self) -> Period:
        return self.state.period


def open_assessment(
    session: Session,
    *,
    wanted: str | None,
    today: date,
    language: str,
    pass_mark: int,
    tz: ZoneInfo,
    by: int | None,
) -> Overview:
    """/assessment [period]: the period asked for, else the one next due; audited."""
    period = parse_period(wanted, kinds=ASSESSED) if wanted else current_assessment_period(today)
    state = period_state(session=session, period=period)
    roc = use_roc(language)
    evidence = None
    if period.first <= today:
        evidence = build_evidence(
            session=session,
            period=period,
            language=language,
            today=today,
            pass_mark=pass_mark,
            tz=tz,
        )
    record_audit(
        session=session, actor_telegram_id=by, action="assessment.open", target=period.code
    )
    return Overview(
        state=state,
        working_days_left=workcalendar.working_days_between(today, period.deadline),
        table=build_table(state, language, roc=roc),
        evidence=evidence,
    )


def summarise_period(
    session: Session, *, text: str, today: date, language: str, by: int | None
) -> PeriodAnalysis:
    """/summary 2027-H1 or /summary 2027: the period's complaint analysis, audited as
    case.summary."""
    period = parse_period(text, kinds=ASSESSED)
    analysis = build_period_analysis(
        session=session,
        period=period,
        today=today,
        language=language,
    )
    record_audit(session=session, actor_telegram_id=by, action="case.summary", target=period.code)
    return analysis


@dataclass(frozen=True)
class YearTargets:
    """A year's targets and where they come from: who set them and when, or None for a year
    left at the plan's figures (`targets.defaulted` names each figure not set)."""

    targets: Targets
    set_by: str | None
    set_at: datetime | None


def open_targets(session: Session, *, years: list[int]) -> list[YearTargets]:
    """/targets: each of `years`' targets with their source. Reads only."""
    rows = {row.year: row for row in fetch_year_targets(session=session)}
    found = []
    for year in years:
        row = rows.get(year)
        found.append(
            YearTargets(
                targets=fetch_targets(session=session, year=year),
                set_by=row.updated_by if row else None,
                set_at=row.updated_at if row else None,
            )
        )
    return found
