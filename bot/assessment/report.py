"""The 附表2 table (`assessment report`): 經濟部標準檢驗局新竹分局 116 年度（上半年）提升服務效能
自行考核結果統計表, in the plan's columns and headings, with the grade legend and the remarks
(each unit's note and 考核結果處理情形), as an HTML page fit to publish on the branch's website
and a CSV; in Chinese with ROC dates, or in English with `--lang en`. Its columns are declared
once (`RESULTS`, `kernel.tables`): the page lays them out as the plan does, the agency written
once across the rows, and the CSV writes them in the same order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from pathlib import Path

from sqlmodel import Session

from bot.assessment.scoring import (
    DIMENSIONS,
    GRADES,
    TOTAL,
    Dimension,
    State,
    grade_for,
    period_state,
)
from kernel import csvfiles
from kernel.pages import page, render_page
from kernel.periods import Period
from kernel.reporting import format_month, format_stamp, plain, produced_now, roc_year, use_roc
from kernel.tables import Column, Kind, Table
from storage.queries.audit import record_audit


@dataclass(frozen=True)
class TableRow:
    agency: str
    number: int
    unit: str
    points: list[int | None]
    total: int | None
    grade: str | None
    assessed: str | None
    remarks: list[str]


def _points(dimension: Dimension, index: int) -> Column[TableRow]:
    return Column(
        f"assessment.table.dim_{dimension.key}",
        lambda row: row.points[index],
        Kind.COUNT,
        values=(("maximum", dimension.maximum),),
    )


RESULTS: Table[TableRow] = Table(
    "assessment.table.results",
    (
        Column("assessment.table.agency_col", attrgetter("agency"), Kind.TEXT, spans=True),
        Column("assessment.table.number", attrgetter("number"), Kind.CODE, css="n"),
        Column("assessment.table.unit", attrgetter("unit"), Kind.TEXT),
        *(_points(d, i) for i, d in enumerate(DIMENSIONS)),
        Column(
            "assessment.table.total", attrgetter("total"), Kind.COUNT, values=(("maximum", TOTAL),)
        ),
        Column("assessment.table.grade", attrgetter("grade"), Kind.TEXT, css=""),
        Column("assessment.table.assessed_on", attrgetter("assessed"), Kind.CODE),
        Column("assessment.table.remarks", attrgetter("remarks"), Kind.LINES),
    ),
    empty=None,
    head=2,
)
"""附表2's columns in the plan's order and headings: 實施考核機關, 編號, 受考核單位名稱, each
dimension with its maximum, 總分, 等第, 考核年月, 備註; the unit heads its row."""


@dataclass(frozen=True)
class AssessmentTable:
    period: Period
    language: str
    roc: bool
    title: str
    agency: str
    published: bool
    rows: list[TableRow]
    legend: list[str]


def _assessed(text: str, language: str, roc: bool) -> str:
    year, month = (int(p) for p in text.split("-"))
    if language == "zh-TW" and roc:
        return f"{roc_year(year)} 年 {month} 月"
    return format_month(year, month, language)


def title_of(period: Period, language: str, *, roc: bool) -> str:
    year = roc_year(period.year) if roc and language == "zh-TW" else period.year
    key = "assessment.table.title_h1" if period.first_half else "assessment.table.title_year"
    return plain(language, key, year=year)


def legend(language: str) -> list[str]:
    """優 900 分以上 … 丁 599 分以下."""
    lines = []
    upper = TOTAL
    for lower, key in GRADES:
        name = plain(language, f"assessment.grade.{key}")
        if lower == GRADES[0][0]:
            lines.append(plain(language, "assessment.table.legend_top", grade=name, low=lower))
        elif lower == 0:
            lines.append(plain(language, "assessment.table.legend_bottom", grade=name, high=upper))
        else:
            lines.append(
                plain(language, "assessment.table.legend_band", grade=name, low=lower, high=upper)
            )
        upper = lower - 1
    return lines


def build_table(state: State, language: str, *, roc: bool) -> AssessmentTable:
    agency = plain(language, "assessment.table.agency")
    rows = []
    for number, unit in enumerate(state.units, start=1):
        score = state.scores.get(unit.id or 0)
        remarks = []
        if score is None:
            remarks.append(plain(language, "assessment.table.unscored"))
        elif score.note:
            remarks.append(score.note)
        remarks += state.follow_ups.get(unit.id or 0, [])
        if score is None:
            rows.append(
                TableRow(
                    agency, number, unit.name_in(language), [None] * 5, None, None, None, remarks
                )
            )
            continue
        points = [int(getattr(score, d.key)) for d in DIMENSIONS]
        total = sum(points)
        rows.append(
            TableRow(
                agency=agency,
                number=number,
                unit=unit.name_in(language),
                points=list(points),
                total=total,
                grade=plain(language, f"assessment.grade.{grade_for(total)}"),
                assessed=_assessed(score.assessed_on, language, roc),
                remarks=remarks,
            )
        )
    return AssessmentTable(
        period=state.period,
        language=language,
        roc=roc,
        title=title_of(state.period, language, roc=roc),
        agency=agency,
        published=state.published_on is not None,
        rows=rows,
        legend=legend(language),
    )


def build_report(
    session: Session, *, period: Period, language: str, western: bool = False
) -> AssessmentTable:
    """The period's 附表2 table (unscored units shown as such while it is a draft)."""
    state = period_state(session=session, period=period)
    return build_table(state, language, roc=use_roc(language, western=western))


def render_html(table: AssessmentTable, *, produced: datetime | None = None) -> str:
    return render_page(
        "reports/assessment.html.j2",
        page=page(table.language, table.title, produced or produced_now(), roc=table.roc),
        tb=table,
        results=RESULTS,
    )


def write_report(
    table: AssessmentTable, out: Path, *, produced: datetime | None = None
) -> list[Path]:
    """DIR/self-assessment-2027-H1.html and .csv (the English version ends -en)."""
    out.mkdir(parents=True, exist_ok=True)
    when = produced or produced_now()
    suffix = "" if table.language == "zh-TW" else f"-{table.language}"
    stem = f"self-assessment-{table.period.code}{suffix}"
    html = out / f"{stem}.html"
    html.write_text(render_html(table, produced=when), encoding="utf-8")
    caption = plain(
        table.language,
        "assessment.table.csv_caption",
        title=table.title,
        state=plain(
            table.language,
            "assessment.table.csv_published" if table.published else "assessment.table.csv_draft",
        ),
        stamp=format_stamp(when, table.language, roc=table.roc),
        legend=" ".join(table.legend),
    )
    path = csvfiles.write_csv(
        out / f"{stem}.csv",
        caption,
        RESULTS.header(table.language),
        RESULTS.csv_rows(table.rows, table.language, roc=table.roc),
    )
    return [html, path]


def report_for(
    session: Session, *, period: Period, language: str, by: int | None
) -> AssessmentTable:
    """The table for chat, audited as assessment.report."""
    table = build_report(session=session, period=period, language=language)
    record_audit(
        session=session, actor_telegram_id=by, action="assessment.report", target=period.code
    )
    return table
