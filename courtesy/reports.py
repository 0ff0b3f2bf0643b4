"""Round and year reports: unit averages and grades, pass rate, items losing the most points,
the trend against earlier rounds, open corrective actions and overdue results.

`build_round_report` / `build_year_report` compute plain values; `report_files.py` writes
them out. Dates are ROC in Chinese unless the caller asks for western ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from statistics import fmean

from sqlmodel import Session

from courtesy.rubric import grade_for, grade_label
from courtesy.schedule import check_year
from courtesy.scoring import rubric_from_row
from kernel import csvfiles
from kernel.errors import UserError
from kernel.reporting import (
    format_day,
    format_period,
    format_round,
    plain,
    roc_year,
    use_roc,
)
from storage.models import CourtesyRound
from storage.queries.audit import record_audit
from storage.queries.courtesy import (
    fetch_actions,
    fetch_current_results,
    fetch_round,
    fetch_rounds,
    fetch_rubrics,
    fetch_staff,
    fetch_test_views,
    fetch_unit_codes,
)

TREND_ROUNDS = 6


@dataclass(frozen=True)
class Labels:
    """The page's facts and headings in one language, from the catalogue's
    `courtesy.report.label.*` (attributes, so a template's ``L.items`` is the heading, not a
    dict's method); the columns are declared with the tables in `report_files`."""

    window: str
    due: str
    no_results: str
    summary: str
    pass_mark: str
    units: str
    items: str
    trend: str
    actions: str
    overdue: str
    none: str

    @classmethod
    def of(cls, language: str) -> Labels:
        return cls(
            **{f.name: plain(language, f"courtesy.report.label.{f.name}") for f in fields(cls)}
        )


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    name_en: str
    calls: int
    scored: int
    average: float | None
    grade: str | None
    pass_rate: float | None


@dataclass(frozen=True)
class ItemRow:
    code: str
    name: str
    lost: float
    per_call: float


@dataclass(frozen=True)
class TrendRow:
    label: str
    label_en: str
    scored: int
    average: float | None
    pass_rate: float | None


@dataclass(frozen=True)
class ActionRow:
    id: int
    staff: str
    unit: str
    status: str
    opened: date
    repeat: int
    nonconformity: str


@dataclass(frozen=True)
class OverdueRow:
    code: str
    day: date
    unit: str
    inspector: str
    due: date


@dataclass(frozen=True)
class PeriodFigures:
    """What a half-year or year report adds (courtesy/period_reports.py): progress against
    the year's courtesy target and the corrective actions opened and closed in the period."""

    target: int
    expected: int
    target_note: str | None
    opened: list[ActionRow]
    closed: list[ActionRow]


@dataclass
class Report:
    name: str
    title: str
    language: str
    starts_on: date
    ends_on: date
    due_on: date
    pass_mark: int
    roc: bool
    calls: int = 0
    scored: int = 0
    average: float | None = None
    grade: str | None = None
    pass_rate: float | None = None
    units: list[UnitRow] = field(default_factory=list)
    items: list[ItemRow] = field(default_factory=list)
    trend: list[TrendRow] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)
    overdue: list[OverdueRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    period: PeriodFigures | None = None

    @property
    def has_results(self) -> bool:
        return self.scored > 0

    @property
    def labels(self) -> Labels:
        return Labels.of(self.language)

    @property
    def window(self) -> str:
        return format_period(self.starts_on, self.ends_on, self.language, roc=self.roc)

    @property
    def due(self) -> str:
        return self.day(self.due_on)

    @property
    def grade_text(self) -> str | None:
        """The overall grade as a reader of the report's language knows it."""
        return grade_label(self.grade, self.language) if self.grade else None

    def day(self, value: date) -> str:
        return format_day(value, self.language, roc=self.roc)

    def csv_day(self, value: date) -> str:
        return csvfiles.csv_day(value, self.language, roc=self.roc)


def _round_label(rnd: CourtesyRound) -> str:
    """The round as commands take it (``2026-1``); reports write `format_round` instead."""
    return f"{rnd.year}-{rnd.number}"


Window = tuple[date, date]
"""First and last day: a period report counts only the calls dated inside it."""


def _inside(day: date, within: Window | None) -> bool:
    return within is None or within[0] <= day <= within[1]


def _summary(
    session: Session, rounds: Sequence[CourtesyRound], within: Window | None = None
) -> tuple[list[tuple[float, bool, str, dict[str, int], int]], int]:
    """(total, passed, unit code, points, rubric id) of each current result, and the calls;
    with `within`, only of the calls dated in it."""
    ids = [r.id for r in rounds if r.id is not None]
    staff = {s.id: s for s in fetch_staff(session=session, active_only=False)}
    units = fetch_unit_codes(session=session)
    rows = []
    for result, test in fetch_current_results(session=session, round_ids=ids):
        if not _inside(test.scheduled_on, within):
            continue
        unit = units[staff[test.staff_id].unit_id].code
        rows.append((result.total, result.passed, unit, result.points, result.rubric_id))
    views = fetch_test_views(session=session, round_ids=ids) if ids else []
    calls = sum(1 for v in views if _inside(v.day, within))
    return rows, calls


def _fill(
    session: Session,
    report: Report,
    rounds: Sequence[CourtesyRound],
    trend_rounds: Sequence[CourtesyRound],
    today: date,
    within: Window | None = None,
) -> Report:
    lang = report.language
    units = sorted(fetch_unit_codes(session=session).values(), key=lambda u: (u.sort_order, u.id))
    results, report.calls = _summary(session, rounds, within)
    report.scored = len(results)
    if results:
        report.average = round(fmean(r[0] for r in results), 1)
        report.grade = grade_for(report.average)
        report.pass_rate = round(100 * sum(1 for r in results if r[1]) / len(results), 1)
    round_ids = [r.id for r in rounds if r.id is not None]
    views = fetch_test_views(session=session, round_ids=round_ids) if round_ids else []
    views = [v for v in views if _inside(v.day, within)]
    calls_by_unit: dict[str, int] = defaultdict(int)
    for view in views:
        calls_by_unit[view.unit_code] += 1
    totals_by_unit: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for total, passed, unit_code, _, _ in results:
        totals_by_unit[unit_code].append((total, passed))
    for unit_row in units:
        got = totals_by_unit.get(unit_row.code, [])
        if not got and not calls_by_unit.get(unit_row.code):
            continue
        average = round(fmean(t for t, _ in got), 1) if got else None
        report.units.append(
            UnitRow(
                code=unit_row.code,
                name=unit_row.name_in(lang),
                name_en=unit_row.name_in("en"),
                calls=calls_by_unit.get(unit_row.code, 0),
                scored=len(got),
                average=average,
                grade=grade_label(grade_for(average), lang) if average is not None else None,
                pass_rate=round(100 * sum(1 for _, p in got if p) / len(got), 1) if got else None,
            )
        )
    rubrics = {row.id: rubric_from_row(row) for row in fetch_rubrics(session=session)}
    lost: dict[str, float] = defaultdict(float)
    names: dict[str, str] = {}
    for _, _, _, points, rubric_id in results:
        rubric = rubrics[rubric_id]
        for item in rubric.items:
            names[item.code] = item.name(lang)
            lost[item.code] += (item.max_points - points.get(item.code, 0)) * rubric.scale
    report.items = sorted(
        (
            ItemRow(code, names[code], round(value, 1), round(value / len(results), 2))
            for code, value in lost.items()
            if value > 0
        ),
        key=lambda i: (-i.lost, i.code),
    )
    for rnd in trend_rounds:
        rows, _ = _summary(session, [rnd], within)
        report.trend.append(
            TrendRow(
                label=format_round(rnd.year, rnd.number, lang, roc=report.roc),
                label_en=format_round(rnd.year, rnd.number, "en"),
                scored=len(rows),
                average=round(fmean(r[0] for r in rows), 1) if rows else None,
                pass_rate=round(100 * sum(1 for r in rows if r[1]) / len(rows), 1)
                if rows
                else None,
            )
        )
    staff = {s.id: s for s in fetch_staff(session=session, active_only=False)}
    unit_by_id = {u.id: u for u in units}
    for action in fetch_actions(session=session, open_only=True):
        person = staff[action.staff_id]
        owner_unit = unit_by_id[person.unit_id]
        report.actions.append(
            ActionRow(
                id=action.id or 0,
                staff=person.name,
                unit=owner_unit.name_in(lang),
                status=plain(lang, f"courtesy.actions.status.{action.status}"),
                opened=action.created_at.date(),
                repeat=action.repeat_count + 1,
                nonconformity=action.nonconformity,
            )
        )
    for view in views:
        if view.status == "planned" and view.due_on < today:
            report.overdue.append(
                OverdueRow(
                    view.code, view.day, view.unit_name(lang), view.inspector_name, view.due_on
                )
            )
    years = sorted({r.year for r in rounds if not r.calendar_published})
    report.notes = [
        plain(lang, "courtesy.report.calendar_note", year=_title_year(y, lang, report.roc))
        for y in years
    ]
    return report


def parse_round(text: str) -> tuple[int, int]:
    """`2026-1` → (2026, 1)."""
    year, _, number = text.strip().partition("-")
    if not (year.isdigit() and len(year) == 4 and number in ("1", "2", "3")):
        raise UserError("courtesy.report.bad_round", round=text)
    check_year(int(year))
    return int(year), int(number)


def _title_year(year: int, language: str, roc: bool) -> int:
    return roc_year(year) if roc and language == "zh-TW" else year


def build_round_report(
    session: Session,
    *,
    year: int,
    number: int,
    language: str,
    pass_mark: int,
    today: date,
    western: bool = False,
) -> Report:
    rnd = fetch_round(session=session, year=year, number=number)
    if rnd is None:
        raise UserError("courtesy.report.no_round", round=f"{year}-{number}")
    earlier = [r for r in fetch_rounds(session=session) if (r.year, r.number) <= (year, number)][
        -TREND_ROUNDS:
    ]
    roc = use_roc(language, western=western)
    report = Report(
        name=f"courtesy-{year}-{number}",
        title=plain(
            language,
            "courtesy.report.round_title",
            year=_title_year(year, language, roc),
            number=number,
        ),
        language=language,
        starts_on=rnd.starts_on,
        ends_on=rnd.ends_on,
        due_on=rnd.due_on,
        pass_mark=pass_mark,
        roc=roc,
    )
    return _fill(session, report, [rnd], earlier, today)


def build_year_report(
    session: Session,
    *,
    year: int,
    language: str,
    pass_mark: int,
    today: date,
    western: bool = False,
) -> Report:
    check_year(year)
    rounds = fetch_rounds(session=session, year=year)
    if not rounds:
        raise UserError("courtesy.plan.none", year=year)
    roc = use_roc(language, western=western)
    report = Report(
        name=f"courtesy-{year}",
        title=plain(language, "courtesy.report.year_title", year=_title_year(year, language, roc)),
        language=language,
        starts_on=rounds[0].starts_on,
        ends_on=rounds[-1].ends_on,
        due_on=rounds[-1].due_on,
        pass_mark=pass_mark,
        roc=roc,
    )
    return _fill(session, report, rounds, rounds, today)


def build_report(
    session: Session,
    *,
    round_text: str | None,
    year: int | None,
    language: str,
    pass_mark: int,
    today: date,
    western: bool = False,
) -> Report:
    """The report of the round `round_text` (e.g. ``2026-1``) or, without one, of `year`;
    ROC dates in Chinese unless `western`."""
    if round_text is not None:
        number_year, number = parse_round(round_text)
        return build_round_report(
            session=session,
            year=number_year,
            number=number,
            language=language,
            pass_mark=pass_mark,
            today=today,
            western=western,
        )
    assert year is not None
    return build_year_report(
        session=session,
        year=year,
        language=language,
        pass_mark=pass_mark,
        today=today,
        western=western,
    )


def latest_round_label(session: Session, *, today: date) -> str | None:
    """``YEAR-ROUND`` of the latest round started by `today`, None before the first."""
    started = [r for r in fetch_rounds(session=session) if r.starts_on <= today]
    return _round_label(started[-1]) if started else None


def round_report_for(
    session: Session,
    *,
    wanted: str | None,
    language: str,
    pass_mark: int,
    today: date,
    by: int | None,
) -> Report | None:
    """/courtesy_report [YEAR-ROUND] by Telegram user `by`: the round asked for, else the
    latest started one, audited as courtesy.report; None when no round has started yet."""
    if wanted is None:
        wanted = latest_round_label(session=session, today=today)
        if wanted is None:
            return None
    year, number = parse_round(wanted)
    report = build_round_report(
        session=session,
        year=year,
        number=number,
        language=language,
        pass_mark=pass_mark,
        today=today,
    )
    record_audit(session=session, actor_telegram_id=by, action="courtesy.report", target=wanted)
    return report
