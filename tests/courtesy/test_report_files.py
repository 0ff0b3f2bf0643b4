"""Courtesy report files: CSVs of one table each, with round labels a spreadsheet keeps and
percentages as numbers of percent; a page that escapes what people typed, prints its headings
as text and says when a round has no results."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

from courtesy import report_files, reports
from courtesy.demo import seed_demo
from courtesy.report_files import render_html
from courtesy.reports import ActionRow, ItemRow, Labels, Report
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


def test_a_rendered_report_prints_every_heading_as_text_not_a_python_object() -> None:
    for language in ("zh-TW", "en"):
        report = Report(
            name="courtesy-2026-1",
            title="t",
            language=language,
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 4, 30),
            due_on=date(2026, 5, 4),
            pass_mark=80,
            roc=language == "zh-TW",
            scored=1,
            calls=1,
        )
        report.items.append(ItemRow("tone", "Tone", 5.0, 5.0))
        html = render_html(report)
        for leak in (
            "<built-in",
            "&lt;built-in",
            "<bound method",
            "&lt;bound method",
            " object at 0x",
        ):
            assert leak not in html, (language, leak)
        assert f"<h2>{Labels.of(language).items}</h2>" in html
