"""The demo's self-assessment: the panel's scores of every unit for the first half-year (one
changed before publishing), follow-ups, the period published, and the half-year pack written:
complaint analysis, courtesy report, 附表2 and the evidence."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.assessment.evidence import build_evidence, write_evidence
from bot.assessment.report import build_report, write_report
from bot.assessment.scoring import DIMENSIONS, ScoreInput, follow_up, publish, record_score
from bot.cases.period_report import write_report as write_period_report
from bot.cases.periods import build_period_analysis
from courtesy import report_files as courtesy_files
from courtesy.period_reports import build_period_report
from kernel.periods import Period
from storage.queries.people import fetch_units

BY = "demo"


def seed_demo(session: Session, *, rng: random.Random, period: Period, today: date) -> None:
    """Every unit scored (the first one twice, so it has history), two follow-ups, published."""
    units = fetch_units(session=session)
    assessed = f"{period.deadline.year:04d}-{period.deadline.month:02d}"
    for index, unit in enumerate(units):
        level = rng.uniform(0.62, 0.95)
        points = {
            d.key: str(min(d.maximum, round(d.maximum * rng.uniform(level - 0.06, level + 0.05))))
            for d in DIMENSIONS
        }
        given = ScoreInput(unit=unit.code, points=points, assessed_on=assessed)
        record_score(session=session, period=period, given=given, today=today, by=BY)
        if index == 0:
            points["innovation"] = str(min(100, int(points["innovation"]) + 5))
            given = ScoreInput(
                unit=unit.code, points=points, assessed_on=assessed, note="複評後調整開放創新分數"
            )
            record_score(session=session, period=period, given=given, today=today, by=BY)
    follow_up(
        session=session,
        period=period,
        unit_text=units[-1].code,
        text="已請該單位於一個月內提出改善報告",
        by=BY,
    )
    follow_up(
        session=session,
        period=period,
        unit_text=units[0].code,
        text="考核結果已簽陳核定並公布於本分局網站",
        by=BY,
    )
    publish(session=session, period=period, by=BY, language="zh-TW")


def write_demo_reports(
    session: Session, *, out: Path, period: Period, today: date, language: str, pass_mark: int
) -> list[Path]:
    """The half-year pack: complaint analysis, courtesy period report, 附表2, evidence."""
    analysis = build_period_analysis(
        session=session,
        period=period,
        today=today,
        language=language,
    )
    files = write_period_report(analysis, out, language)
    courtesy = build_period_report(
        session=session,
        period=period,
        language=language,
        pass_mark=pass_mark,
        today=today,
    )
    files += courtesy_files.write_report(courtesy, out)
    files += write_report(build_report(session=session, period=period, language=language), out)
    evidence = build_evidence(
        session=session,
        period=period,
        language=language,
        today=today,
        pass_mark=pass_mark,
        tz=ZoneInfo("Asia/Taipei"),
    )
    files += write_evidence(evidence, out)
    return files
