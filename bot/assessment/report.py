"""The 附表2 table (`assessment report`): 經濟部標準檢驗局新竹分局 116 年度（上半年）提升服務效能
自行考核結果統計表, in the plan's columns and headings, with the grade legend and the remarks
(each unit's note and 考核結果處理情形), as an HTML page fit to publish on the branch's website
and a CSV; in Chinese with ROC dates, or in English with `--lang en`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from bot.assessment.scoring import DIMENSIONS, GRADES, TOTAL, State, grade_for, period_state
from kernel import csvfiles
from kernel.pages import page, render_page
from kernel.periods import Period
from kernel.reporting import format_month, format_stamp, plain, produced_now, roc_year, use_roc
from storage.queries.audit import record_audit


@dataclass(frozen=True)
class TableRow:
    number: int
    unit: str
    points: list[int | None]
    total: int | None
    grade: str | None
    assessed: str | None
    remarks: list[str]


@dataclass(frozen=True)
class AssessmentTable:
    period: Period
    language: str
    roc: bool
    title: str
    agency: str
    published: bool
    rows: list[TableRow]
    headings: list[str]
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


def headings(language: str) -> list[str]:
    """附表2's columns in its order, each dimension with its maximum."""
    tr = lambda key, **v: plain(language, f"assessment.table.{key}", **v)  # noqa: E731
    return [
        tr("agency_col"),
        tr("number"),
        tr("unit"),
        *(tr(f"dim_{d.key}", maximum=d.maximum) for d in DIMENSIONS),
        tr("total", maximum=TOTAL),
        tr("grade"),
        tr("assessed_on"),
        tr("remarks"),
    ]


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
                TableRow(number, unit.name_in(language), [None] * 5, None, None, None, remarks)
            )
            continue
        points = [int(getattr(score, d.key)) for d in DIMENSIONS]
        total = sum(points)
        rows.append(
            TableRow(
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
        agency=plain(language, "assessment.table.agency"),
        published=state.published_on is not None,
        rows=rows,
        headings=headings(language),
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
    )


def csv_rows(table: AssessmentTable) -> list[list[object]]:
    sep = "；" if table.language == "zh-TW" else "; "
    return [
        [
            table.agency,
            r.number,
            r.unit,
            *r.points,
            r.total,
            r.grade,
            r.assessed,
            sep.join(r.remarks),
        ]
        for r in table.rows
    ]


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
    path = csvfiles.write_csv(out / f"{stem}.csv", caption, table.headings, csv_rows(table))
    return [html, path]


def report_for(
    *, session: Session, period: Period, language: str, by: int | None
) -> AssessmentTable:
    """The table for chat, audited as assessment.report."""
    table = build_report(session=session, period=period, language=language)
    record_audit(
        session=session, actor_telegram_id=by, action="assessment.report", target=period.code
    )
    return table
