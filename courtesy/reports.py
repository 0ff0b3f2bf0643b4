"""Round and year reports: unit averages and grades, pass rate, items losing the most points,
the trend against earlier rounds, open corrective actions and overdue results.

`build_round_report` / `build_year_report` compute plain values; `write_report` renders them
to ``courtesy-<name>.html`` (Jinja2, autoescaped), ``.csv`` (UTF-8 with BOM) and ``.png``.
A round with no results yet still gets its three files, saying so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from statistics import fmean

from sqlmodel import Session

from courtesy.audit import audit
from courtesy.rubric import grade_for, grade_label
from courtesy.schedule import check_year
from courtesy.scoring import rubric_from_row
from kernel import reporting, templating
from kernel.errors import UserError
from kernel.i18n import t
from storage.models import CourtesyRound
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
    """The headings and column names of a report in one language, from the catalogue's
    `courtesy.report.label.*` (attributes, so a template's ``L.items`` is the heading, not a
    dict's method)."""

    window: str
    due: str
    no_results: str
    summary: str
    calls: str
    scored: str
    average: str
    grade: str
    pass_rate: str
    pass_mark: str
    units: str
    unit: str
    items: str
    item: str
    lost: str
    lost_avg: str
    trend: str
    round: str
    actions: str
    action: str
    staff: str
    status: str
    opened: str
    repeat: str
    overdue: str
    test: str
    day: str
    inspector: str
    none: str
    chart_units: str
    chart_trend: str

    @classmethod
    def of(cls, language: str) -> Labels:
        return cls(**{f.name: t(language, f"courtesy.report.label.{f.name}") for f in fields(cls)})


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
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


@dataclass
class Report:
    name: str
    title: str
    language: str
    window: str
    due: str
    pass_mark: int
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

    @property
    def has_results(self) -> bool:
        return self.scored > 0

    @property
    def labels(self) -> Labels:
        return Labels.of(self.language)


def _round_label(rnd: CourtesyRound) -> str:
    return f"{rnd.year}-{rnd.number}"


def _summary(
    session: Session, rounds: Sequence[CourtesyRound]
) -> tuple[list[tuple[float, bool, str, dict[str, int], int]], int]:
    """(total, passed, unit code, points, rubric id) of each current result, and the calls."""
    ids = [r.id for r in rounds if r.id is not None]
    staff = {s.id: s for s in fetch_staff(session=session, active_only=False)}
    units = fetch_unit_codes(session=session)
    rows = []
    for result, test in fetch_current_results(session=session, round_ids=ids):
        unit = units[staff[test.staff_id].unit_id].code
        rows.append((result.total, result.passed, unit, result.points, result.rubric_id))
    calls = len(fetch_test_views(session=session, round_ids=ids)) if ids else 0
    return rows, calls


def _fill(
    session: Session,
    report: Report,
    rounds: Sequence[CourtesyRound],
    trend_rounds: Sequence[CourtesyRound],
    today: date,
) -> Report:
    lang = report.language
    units = sorted(fetch_unit_codes(session=session).values(), key=lambda u: (u.sort_order, u.id))
    results, report.calls = _summary(session, rounds)
    report.scored = len(results)
    if results:
        report.average = round(fmean(r[0] for r in results), 1)
        report.grade = grade_for(report.average)
        report.pass_rate = round(100 * sum(1 for r in results if r[1]) / len(results), 1)
    round_ids = [r.id for r in rounds if r.id is not None]
    views = fetch_test_views(session=session, round_ids=round_ids) if round_ids else []
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
        rows, _ = _summary(session, [rnd])
        report.trend.append(
            TrendRow(
                label=_round_label(rnd),
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
                status=t(lang, f"courtesy.actions.status.{action.status}"),
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
    report.notes = [t(lang, "courtesy.report.calendar_note", year=y) for y in years]
    return report


def parse_round(text: str) -> tuple[int, int]:
    """`2026-1` → (2026, 1)."""
    year, _, number = text.strip().partition("-")
    if not (year.isdigit() and len(year) == 4 and number in ("1", "2", "3")):
        raise UserError("courtesy.report.bad_round", round=text)
    check_year(int(year))
    return int(year), int(number)


def build_round_report(
    *, session: Session, year: int, number: int, language: str, pass_mark: int, today: date
) -> Report:
    rnd = fetch_round(session=session, year=year, number=number)
    if rnd is None:
        raise UserError("courtesy.report.no_round", round=f"{year}-{number}")
    earlier = [r for r in fetch_rounds(session=session) if (r.year, r.number) <= (year, number)][
        -TREND_ROUNDS:
    ]
    report = Report(
        name=f"courtesy-{year}-{number}",
        title=t(language, "courtesy.report.round_title", year=year, number=number),
        language=language,
        window=f"{rnd.starts_on.isoformat()} – {rnd.ends_on.isoformat()}",
        due=rnd.due_on.isoformat(),
        pass_mark=pass_mark,
    )
    return _fill(session, report, [rnd], earlier, today)


def build_year_report(
    *, session: Session, year: int, language: str, pass_mark: int, today: date
) -> Report:
    check_year(year)
    rounds = fetch_rounds(session=session, year=year)
    if not rounds:
        raise UserError("courtesy.plan.none", year=year)
    report = Report(
        name=f"courtesy-{year}",
        title=t(language, "courtesy.report.year_title", year=year),
        language=language,
        window=f"{rounds[0].starts_on.isoformat()} – {rounds[-1].ends_on.isoformat()}",
        due=rounds[-1].due_on.isoformat(),
        pass_mark=pass_mark,
    )
    return _fill(session, report, rounds, rounds, today)


def build_report(
    *,
    session: Session,
    round_text: str | None,
    year: int | None,
    language: str,
    pass_mark: int,
    today: date,
) -> Report:
    """The report of the round `round_text` (e.g. ``2026-1``) or, without one, of `year`."""
    if round_text is not None:
        number_year, number = parse_round(round_text)
        return build_round_report(
            session=session,
            year=number_year,
            number=number,
            language=language,
            pass_mark=pass_mark,
            today=today,
        )
    assert year is not None
    return build_year_report(
        session=session, year=year, language=language, pass_mark=pass_mark, today=today
    )


def latest_round_label(*, session: Session, today: date) -> str | None:
    """``YEAR-ROUND`` of the latest round started by `today`, None before the first."""
    started = [r for r in fetch_rounds(session=session) if r.starts_on <= today]
    return _round_label(started[-1]) if started else None


def round_report_for(
    *,
    session: Session,
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
    audit(session, by, "courtesy.report", target=wanted)
    return report


def render_html(report: Report) -> str:
    return templating.render("courtesy/report.html.j2", r=report, L=report.labels)


def write_csv(report: Report, path: Path) -> Path:
    L = report.labels
    rows: list[list[object]] = []
    if not report.has_results:
        rows.append(["", L.no_results, "", "", "", "", ""])
    for u in report.units:
        rows.append([u.code, u.name, u.calls, u.scored, u.average, u.grade, u.pass_rate])
    rows.append(
        [
            "",
            L.summary,
            report.calls,
            report.scored,
            report.average,
            grade_label(report.grade, report.language) if report.grade else None,
            report.pass_rate,
        ]
    )
    rows.append([])
    rows.append(["item", L.item, L.lost, L.lost_avg])
    rows.extend([i.code, i.name, i.lost, i.per_call] for i in report.items)
    rows.append([])
    rows.append(["round", L.round, L.scored, L.average, L.pass_rate])
    rows.extend(["", t.label, t.scored, t.average, t.pass_rate] for t in report.trend)
    header = [
        "unit_code",
        L.unit,
        L.calls,
        L.scored,
        L.average,
        L.grade,
        L.pass_rate,
    ]
    return reporting.write_csv(path, header, rows)


def write_png(report: Report, path: Path) -> Path:
    plt = reporting.pyplot()
    lang = reporting.chart_language(report.language)
    L = Labels.of(lang)
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    try:
        scored = [u for u in report.units if u.average is not None]
        if scored:
            names = [u.code if lang != report.language else u.name for u in scored]
            left.barh(names, [u.average for u in scored], color="#4477aa")
            left.axvline(report.pass_mark, color="#cc3311", linestyle="--")
            left.set_xlim(0, 100)
            left.invert_yaxis()
        else:
            left.text(
                0.5,
                0.5,
                L.no_results,
                ha="center",
                va="center",
                wrap=True,
            )
            left.set_axis_off()
        left.set_title(L.chart_units)
        points = [(t.label, t.average) for t in report.trend if t.average is not None]
        if points:
            right.plot([p[0] for p in points], [p[1] for p in points], marker="o")
            right.axhline(report.pass_mark, color="#cc3311", linestyle="--")
            right.set_ylim(0, 100)
        else:
            right.set_axis_off()
        right.set_title(L.chart_trend)
        figure.tight_layout()
        figure.savefig(path, dpi=100)
    finally:
        plt.close(figure)
    return path


def write_report(report: Report, out: Path) -> list[Path]:
    """The report as HTML, CSV and PNG in `out`; returns the three paths."""
    out.mkdir(parents=True, exist_ok=True)
    html = out / f"{report.name}.html"
    html.write_text(render_html(report), encoding="utf-8")
    return [
        html,
        write_csv(report, out / f"{report.name}.csv"),
        write_png(report, out / f"{report.name}.png"),
    ]
