"""Courtesy report and schedule CSVs: one table per file, round labels and test codes a
spreadsheet keeps, percentages as numbers of percent."""

from __future__ import annotations

import csv
import io
import random
from datetime import date
from pathlib import Path

from courtesy import report_files, reports, schedule
from courtesy.demo import seed_demo
from storage.db import Database
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


def test_the_schedule_csv_keeps_codes_rounds_and_dates_as_written(db: Database) -> None:
    db.call(seed_demo, rng=random.Random(3), year=2025)
    text = db.call(schedule.schedule_csv, year=2025, language="en")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0].startswith("Telephone courtesy tests 2025: schedule")
    assert rows[1][:3] == ["Test", "Round", "Date"]
    assert risky_cells(rows) == []
    assert rows[2][0].startswith("#2025-1-") and rows[2][1] == "2025 R1"
    codes = {r[0].removeprefix("#") for r in rows[2:]}
    assert len(codes) == len(rows) - 2
