"""Courtesy report files: CSVs of one table each, with round labels a spreadsheet keeps and
percentages as numbers of percent; a page that escapes what people typed, prints its headings
as text and says when a round has no results; every table headed by its declared columns, the
summary being the units table's total row."""

from __future__ import annotations

import random
import re
from datetime import date
from pathlib import Path

from markupsafe import escape

from courtesy import report_files, reports
from courtesy.demo import seed_demo
from courtesy.report_files import (
    ACTIONS,
    CLOSED,
    ITEMS,
    OPENED,
    OVERDUE,
    PROGRESS,
    SUMMARY,
    TREND,
    UNITS,
    render_html,
)
from courtesy.reports import ActionRow, ItemRow, Labels, OverdueRow, PeriodFigures, Report
from courtesy.rubric import grade_for
from kernel.reporting import plain
from storage.db import Database
from tests.courtesy.conftest import PASS_MARK
from tests.reports.spreadsheet import read_rows, risky_cells


def test_round_and_year_csvs_are_one_table_each_and_survive_a_spreadsheet(
    db: Database, tmp_path: Path
) -> None:
    db.call(seed_demo, rng=random.Random(3), year=2025)
    for language, round_label, pct in (
        ("zh-TW", "114 年第 1 輪", "及格率（%）"),
        ("en", "2025 R1", "Pass rate (%)"),
    ):
        with db.transaction() as session:
            report = reports.build_year_report(
                session=session, year=2025, language=language, pass_mark=80, today=date(2026, 2, 1)
            )
        files = report_files.write_report(report, tmp_path / language)
        csvs = {f.name.rsplit("-", 1)[1]: read_rows(f) for f in files if f.suffix == ".csv"}
        assert sorted(csvs) == ["items.csv", "trend.csv", "units.csv"]
        for rows in csvs.values():
            assert risky_cells(rows) == []
            assert len(rows[0]) == 1 and len({len(r) for r in rows[1:]}) == 1
        trend = csvs["trend.csv"]
        assert trend[1][-1] == pct and trend[2][0] == round_label
        assert all(r[3] == "" or 0 <= float(r[3]) <= 100 for r in trend[2:])
        units = csvs["units.csv"]
        assert units[1][-1] == pct and units[-1][0] in ("合計", "Total")
        assert "unit_code" not in units[1]
        if language == "en":
            assert not any("甲" in c or "優" in c for r in units for c in r)


def test_a_round_with_no_results_still_gets_its_files_saying_so(
    planned: Database, tmp_path: Path
) -> None:
    with planned.transaction() as session:
        report = reports.build_round_report(
            session=session,
            year=2026,
            number=2,
            language="en",
            pass_mark=PASS_MARK,
            today=date(2026, 12, 1),
        )
    assert not report.has_results
    assert len(report.overdue) == report.calls > 0
    files = report_files.write_report(report, tmp_path)
    assert all(f.exists() for f in files)
    assert "No results have been recorded" in files[0].read_text(encoding="utf-8")


def test_the_html_report_escapes_names_and_notes() -> None:
    report = Report(
        name="courtesy-2026-1",
        title="<i>t</i>",
        language="en",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 4, 30),
        due_on=date(2026, 5, 4),
        pass_mark=80,
        roc=False,
    )
    report.actions.append(
        ActionRow(1, "<script>alert(1)</script>", "unit", "open", date(2026, 1, 5), 1, "x")
    )
    html = render_html(report)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;i&gt;t&lt;/i&gt;" in html


def _half_year(language: str) -> Report:
    """A half-year report with a row in every table but the closed actions."""
    action = ActionRow(7, "王小明", "First Section", "open", date(2026, 3, 2), 2, "late")
    report = Report(
        name="courtesy-2026-H1",
        title="t",
        language=language,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 6, 30),
        due_on=date(2026, 7, 6),
        pass_mark=80,
        roc=language == "zh-TW",
        calls=3,
        scored=2,
        average=81.5,
        grade=grade_for(81.5),
        pass_rate=50.0,
        items=[ItemRow("accuracy", "Accuracy", 35.0, 1.3), ItemRow("tone", "Tone", 9.0, 0.45)],
        actions=[action],
        overdue=[
            OverdueRow("2026-1-007", date(2026, 3, 3), "First Section", "林", date(2026, 3, 10))
        ],
    )
    report.period = PeriodFigures(
        target=80, expected=40, target_note=None, opened=[action], closed=[]
    )
    return report


def test_a_rendered_report_prints_every_heading_as_text_not_a_python_object() -> None:
    for language in ("zh-TW", "en"):
        html = render_html(_half_year(language))
        for leak in (
            "<built-in",
            "&lt;built-in",
            "<bound method",
            "&lt;bound method",
            " object at 0x",
        ):
            assert leak not in html, (language, leak)
        assert f"<h2>{Labels.of(language).items}</h2>" in html


def _headings(html: str, caption: str) -> list[str]:
    """The column headings of the table captioned `caption` on a page."""
    found = re.search(
        rf"<caption>{re.escape(escape(caption))}</caption>\n<thead><tr>(.*?)</tr></thead>", html
    )
    assert found, caption
    return re.findall(r'<th scope="col"[^>]*>(.*?)</th>', found.group(1))


def test_every_table_on_the_page_is_headed_by_its_declared_columns() -> None:
    for language in ("zh-TW", "en"):
        html = render_html(_half_year(language))
        for table in (SUMMARY, PROGRESS, OPENED, UNITS, ITEMS, TREND, ACTIONS, OVERDUE):
            heads = _headings(html, plain(language, table.caption))
            assert heads == [escape(c.heading(language)) for c in table.columns], table.caption
        closed = plain(language, CLOSED.caption)
        assert f"<h2>{closed}</h2>\n<p>{Labels.of(language).none}</p>" in html


def test_the_summary_is_the_units_tables_total_row_without_its_name() -> None:
    html = render_html(_half_year("en"))
    summary = re.search(r"<caption>Summary</caption>.*?<tbody>\n<tr>(.*?)</tr>", html, re.S)
    total = re.search(r"<tfoot><tr><th scope=\"row\">Total</th>(.*?)</tr></tfoot>", html)
    assert summary and total
    assert summary.group(1) == total.group(1)
    assert summary.group(1) == (
        '<td class="n">3</td><td class="n">2</td><td class="n">81.5</td>'
        '<td>A</td><td class="n">50.0</td>'
    )


def test_a_periods_progress_and_actions_read_their_rows_in_the_reports_language() -> None:
    html = render_html(_half_year("zh-TW"))
    assert (
        '<tr><td class="n">80</td><td class="n">40</td><td class="n">3</td><td class="n">2</td>'
        '<td class="n">1</td><td class="n">0</td></tr>'
    ) in html
    opened = (
        '<th scope="row" class="nowrap">#7</th><td class="name">王小明</td>'
        '<td class="name"><span lang="en">First Section</span></td><td><span lang="en">open'
        '</span></td><td class="nowrap">115/03/02</td>'
    )
    assert html.count(f"<tr>{opened}</tr>") == 1  # opened in the period
    assert html.count(f'<tr>{opened}<td class="n">2</td></tr>') == 1  # still open
    assert (
        '<th scope="row" class="nowrap">2026-1-007</th><td class="nowrap">115/03/03</td>'
    ) in html


def test_points_lost_per_call_keep_two_decimals_on_the_page_and_in_the_csv(
    tmp_path: Path,
) -> None:
    report = _half_year("en")
    html = render_html(report)
    assert '<td class="n">35.0</td><td class="n">1.30</td>' in html
    assert '<td class="n">9.0</td><td class="n">0.45</td>' in html
    files = report_files.write_report(report, tmp_path)
    items = read_rows(next(f for f in files if f.name.endswith("-items.csv")))
    assert items[1:] == [
        [c.heading("en") for c in ITEMS.columns],
        ["Accuracy", "35.0", "1.30"],
        ["Tone", "9.0", "0.45"],
    ]
