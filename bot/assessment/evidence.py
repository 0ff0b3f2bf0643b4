"""Evidence for the review panel (`assessment evidence`): per unit, what the tool knows that
bears on each dimension of 附表1. The panel decides the scores; this is where they look first.

The evidence is gathered from a list of sources (`SOURCES`), each a function from the period
to one section, so that every dimension has figures for every unit:
- 基礎服務: courtesy calls (服務友善, here), training held (一(一)3) and facility duties done
  on time (一(二)) in `evidence_duties.py`;
- 服務遞送: notices published and chats reached by category (服務便捷, here) and each unit's
  final replies and how they reached the petitioner (`evidence_replies.py`);
- 服務量能: visits to firms (三(二), `evidence_outreach.py`);
- 服務評價: complaints and monitor reports (意見回應處理情形) and the question after a closed
  case (服務滿意情形, from `bot.surveys.figures`), here; the periodic survey and the improvement
  actions answering its findings (四(一)1(2), `evidence_surveys.py`);
- 開放創新: firms' needs answered on time (五(一)) and the notice network's reach (五(二)),
  `evidence_outreach.py`.
A list of sources without a satisfaction one gets a labelled row saying there are no survey
results.

Each source uses the same builder as its own report (the courtesy period report, the complaint
analysis), so the evidence and those reports never disagree; its columns are declared once
(`kernel.tables`), read by the page and by the CSV, which lists one figure a row.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.assessment.evidence_duties import facilities_source, training_source
from bot.assessment.evidence_outreach import needs_source, reach_source, visits_source
from bot.assessment.evidence_replies import replies_source
from bot.assessment.evidence_surveys import improvements_source, periodic_survey_source
from bot.assessment.sections import Context, Line, Section, Source, figures, tr
from bot.cases.periods import build_period_analysis
from bot.surveys.figures import Satisfaction, satisfaction_by_unit
from courtesy.period_reports import build_period_report
from kernel.errors import UserError
from kernel.pages import page, render_page
from kernel.periods import Period
from kernel.reporting import format_period, plain, produced_now, use_roc
from kernel.tables import CsvTable, Kind, Named, ReportFiles, Table, write_report_files
from storage.queries.assessment import fetch_notice_reach
from storage.queries.audit import record_audit
from storage.queries.cases import fetch_categories
from storage.queries.people import fetch_units


def courtesy_source(context: Context) -> Section:
    """服務友善: the courtesy calls dated in the period and the corrective actions."""
    section = Section(
        "basic",
        "friendly",
        figures(
            ("col_calls", Kind.COUNT),
            ("col_scored", Kind.COUNT),
            ("col_average", Kind.FIGURE),
            ("col_pass_rate", Kind.PERCENT),
            ("col_actions_opened", Kind.COUNT),
            ("col_actions_closed", Kind.COUNT),
        ),
        unit_header="assessment.evidence.col_unit",
    )
    try:
        report = build_period_report(
            session=context.session,
            period=context.period,
            language=context.language,
            pass_mark=context.pass_mark,
            today=context.today,
        )
    except UserError as exc:
        section.note = plain(context.language, exc.key, **exc.values)
        return section
    by_code = {u.code: u for u in report.units}
    assert report.period is not None
    opened = Counter(a.unit for a in report.period.opened)
    closed = Counter(a.unit for a in report.period.closed)
    for unit in context.units:
        name = unit.name_in(context.language)
        row = by_code.get(unit.code)
        section.per_unit[unit.code] = [
            row.calls if row else 0,
            row.scored if row else 0,
            row.average if row else None,
            row.pass_rate / 100 if row and row.pass_rate is not None else None,
            opened.get(name, 0),
            closed.get(name, 0),
        ]
    return section


def cases_source(context: Context) -> Section:
    """意見回應處理情形: cases owned (received in the period), handled, on time, median days
    to close and overdue at the period's end, per owning unit."""
    section = Section(
        "evaluation",
        "response",
        figures(
            ("col_owned", Kind.COUNT),
            ("col_handled", Kind.COUNT),
            ("col_on_time_rate", Kind.PERCENT),
            ("col_median_days", Kind.DAYS),
            ("col_overdue", Kind.COUNT),
        ),
    )
    analysis = build_period_analysis(
        session=context.session,
        period=context.period,
        today=context.today,
        language=context.language,
    )
    for unit in context.units:
        row = analysis.unit_row(unit.code)
        section.per_unit[unit.code] = [
            row.received if row else 0,
            row.handled if row else 0,
            row.on_time_rate if row else None,
            row.median_days if row else None,
            row.overdue if row else 0,
        ]
    return section


def notices_source(context: Context) -> Section:
    """服務便捷: notices published in the period and firms reached, by category (the
    branch's, not one unit's)."""
    section = Section(
        "delivery",
        "convenience",
        figures(("col_notices", Kind.COUNT), ("col_reached", Kind.COUNT)),
    )
    start = datetime.combine(context.period.first, time(0), tzinfo=context.tz)
    end = datetime.combine(min(context.period.last, context.today), time(0), tzinfo=context.tz)
    names = {
        c.code: (c.name_zh if context.language == "zh-TW" else c.name_en)
        for c in fetch_categories(session=context.session)
    }
    for code, notices, reached in fetch_notice_reach(
        session=context.session, start=start, end=end + timedelta(days=1)
    ):
        section.rows.append((names.get(code, code), [notices, reached]))
    if not section.rows:
        section.note = tr(context, "no_notices")
    return section


NOBODY_ASKED = Satisfaction(0, 0, None, None, None, None)


def satisfaction_source(context: Context) -> Section:
    """服務滿意情形: the question after a closed case, asked in the period, per owning unit:
    how many were asked, answered, the mean (1–5) and the share satisfied (4 or 5) with its
    95% Wilson interval, as the survey reports give them."""
    section = Section(
        "evaluation",
        "satisfaction",
        figures(
            ("col_survey_asked", Kind.COUNT),
            ("col_survey_responses", Kind.COUNT),
            ("col_survey_mean", Kind.MEAN),
            ("col_survey_satisfied", Kind.PERCENT),
            ("col_survey_interval", Kind.INTERVAL),
        ),
    )
    found = satisfaction_by_unit(
        context.session,
        start=context.period.first,
        end=min(context.period.last, context.today),
        tz=context.tz,
    )
    for unit in context.units:
        f = found.get(unit.id, NOBODY_ASKED)
        section.per_unit[unit.code] = [
            f.asked,
            f.responses,
            f.mean,
            f.satisfied,
            None if f.low is None or f.high is None else (f.low, f.high),
        ]
    answered = sum(f.responses for f in found.values())
    if not answered:
        section.note = tr(context, "no_surveys")
    return section


SOURCES: list[Source] = [
    courtesy_source,  # 基礎服務
    training_source,
    facilities_source,
    notices_source,  # 服務遞送
    replies_source,
    visits_source,  # 服務量能
    cases_source,  # 服務評價
    satisfaction_source,
    periodic_survey_source,
    improvements_source,
    needs_source,  # 開放創新
    reach_source,
]
"""Every source of evidence, in the order of the dimensions they bear on."""


@dataclass(frozen=True)
class Evidence:
    period: Period
    language: str
    roc: bool
    title: str
    units: list[tuple[str, str, str]]
    """(code, name, Chinese name) of every unit, in the directory's order: the English page
    shows the Chinese name beside the English one, as the panel knows the units by it."""
    sections: list[Section]
    missing: list[str]
    """Labelled rows for evidence no source gives yet (satisfaction results)."""

    def parts(self, section: Section) -> list[tuple[Table[Line], list[Line]]]:
        """The section's tables with their lines, those it has: its units (on an English
        page each with its Chinese name beside it), then the branch's categories."""
        parts = []
        if section.per_unit:
            aside = self.language != "zh-TW"
            units: list[Line] = [
                (Named(name, name_zh if aside else None), section.per_unit[code])
                for code, name, name_zh in self.units
                if code in section.per_unit
            ]
            parts.append((section.table(section.unit_header), units))
        if section.rows:
            categories: list[Line] = list(section.rows)
            parts.append((section.table("reports.summary.category"), categories))
        return parts


def build_evidence(
    session: Session,
    *,
    period: Period,
    language: str,
    today: date,
    pass_mark: int,
    tz: ZoneInfo,
    sources: list[Source] | None = None,
    western: bool = False,
) -> Evidence:
    """Every source's section for the period's units."""
    if period.first > today:
        raise UserError("period.future", period=period.code)
    units = fetch_units(session=session)
    context = Context(session, period, language, today, pass_mark, tz, units)
    sections = [source(context) for source in (sources if sources is not None else SOURCES)]
    missing = []
    if not any(s.aspect == "satisfaction" for s in sections):
        missing.append(plain(language, "assessment.evidence.no_surveys"))
    roc = use_roc(language, western=western)
    return Evidence(
        period=period,
        language=language,
        roc=roc,
        title=plain(language, "assessment.evidence.title", period=period.label(language, roc=roc)),
        units=[(u.code, u.name_in(language), u.name_zh) for u in units],
        sections=sections,
        missing=missing,
    )


def _heading(evidence: Evidence, section: Section) -> str:
    lang = evidence.language
    return plain(
        lang,
        "assessment.evidence.section",
        dimension=plain(lang, f"assessment.dimension.{section.dimension}"),
        aspect=plain(lang, f"assessment.evidence.aspect_{section.aspect}"),
    )


def render_html(evidence: Evidence, *, produced: datetime | None = None) -> str:
    return render_page(
        "reports/evidence.html.j2",
        page=page(evidence.language, evidence.title, produced or produced_now(), roc=evidence.roc),
        ev=evidence,
        heading=lambda s: _heading(evidence, s),
        period=format_period(
            evidence.period.first, evidence.period.last, evidence.language, roc=evidence.roc
        ),
    )


def csv_rows(evidence: Evidence) -> list[list[object]]:
    """One row per (section, unit or category, figure): long format, one table."""
    lang, roc = evidence.language, evidence.roc
    rows: list[list[object]] = []
    for section in evidence.sections:
        heading = _heading(evidence, section)
        for table, lines in evidence.parts(section):
            rows += [[heading, *row] for row in table.long_rows(lines, lang, roc=roc)]
        if section.note:
            rows.append([heading, "", plain(lang, "assessment.evidence.note"), section.note])
    for line in evidence.missing:
        rows.append([line, "", "", None])
    return rows


def write_evidence(
    evidence: Evidence, out: Path, *, produced: datetime | None = None
) -> list[Path]:
    """DIR/evidence-2027-H1.html and .csv."""
    lang = evidence.language
    header = [
        plain(lang, "assessment.evidence.col_section"),
        plain(lang, "assessment.evidence.col_subject"),
        plain(lang, "assessment.evidence.col_figure"),
        plain(lang, "assessment.evidence.col_value"),
    ]
    table = CsvTable("", plain(lang, "assessment.evidence.csv_table"), header, csv_rows(evidence))
    files = ReportFiles(
        stem=f"evidence-{evidence.period.code}" + ("" if lang == "zh-TW" else f"-{lang}"),
        language=lang,
        roc=evidence.roc,
        title=evidence.title,
        period=format_period(evidence.period.first, evidence.period.last, lang, roc=evidence.roc),
        page=lambda when: render_html(evidence, produced=when),
        tables=[table],
    )
    return write_report_files(files, out, produced=produced)


def evidence_for(
    session: Session,
    *,
    period: Period,
    language: str,
    today: date,
    pass_mark: int,
    tz: ZoneInfo,
    by: int | None,
) -> Evidence:
    """The evidence for chat, audited as assessment.evidence."""
    evidence = build_evidence(
        session=session, period=period, language=language, today=today, pass_mark=pass_mark, tz=tz
    )
    record_audit(
        session=session, actor_telegram_id=by, action="assessment.evidence", target=period.code
    )
    return evidence
