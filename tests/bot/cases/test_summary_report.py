"""The monthly summary written out (`bot/cases/summary_report.py`): its CSVs are one table per
file, headers in the report's language, a caption line, and a reporter's product name that
looks like a formula written so it is never run; no reporter's identity in any file; a month
without cases still gets its files; the page and the chat text say how its days are counted."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.cases.summary import build_summary
from bot.cases.summary_report import summary_text, write_report
from storage.db import Database
from storage.models import Role
from tests.bot.cases.test_summary import COMPLAINT_FILES, REPORTER, seed_march
from tests.factories import do, file_on, person
from tests.reports.spreadsheet import read_rows, risky_cells

TODAY = date(2026, 11, 26)
FORMULAS = ('=HYPERLINK("http://x","y")', "@SUM(1+1)", "+1-1", "-SUM(A1)")


def test_formula_product_names_come_out_neutralised_in_every_csv(
    db: Database, tmp_path: Path
) -> None:
    for i, subject in enumerate(FORMULAS):
        for day in range(i + 1):
            file_on(db, date(2026, 3, 2 + day), subject=subject)
    for language in ("zh-TW", "en"):
        summary = db.call(build_summary, year=2026, month=3, today=TODAY, language=language)
        assert {s for s, _ in summary.top_products} == set(FORMULAS)
        files = write_report(summary, tmp_path / language, language)
        csvs = [f for f in files if f.suffix == ".csv"]
        assert len(csvs) == 5
        cells = []
        for path in csvs:
            rows = read_rows(path)
            assert risky_cells(rows) == [], path.name
            assert len(rows[0]) == 1 and len({len(r) for r in rows[1:]}) == 1, path.name
            cells += [c for row in rows for c in row]
        for subject in FORMULAS:
            assert "'" + subject in cells
            assert subject not in cells


def test_case_numbers_and_dates_survive_a_spreadsheet_reader(db: Database, tmp_path: Path) -> None:
    filed = [file_on(db, date(2026, 1, 5 + i)) for i in range(3)]  # never assigned: overdue
    summary = db.call(build_summary, year=2026, month=3, today=TODAY, language="zh-TW")
    files = write_report(summary, tmp_path, "zh-TW")
    overdue = next(f for f in files if f.name.endswith("-overdue.csv"))
    rows = read_rows(overdue)
    assert rows[0][0].startswith("民國 115 年 3 月") and "產製時間" in rows[0][0]
    assert rows[1] == ["案號", "承辦單位", "收件日", "處理期限", "逾期日數（日曆天）"]
    assert [r[0] for r in rows[2:]] == [f.number for f in filed]
    assert rows[2][2] == "115/01/05（一）"
    assert risky_cells(rows) == []
    counts = read_rows(next(f for f in files if f.name.endswith("-counts.csv")))
    total = next(r for r in counts if r[0] == "案件類型" and r[1] == "合計")
    assert total[2:] == [str(summary.received), str(summary.closed), str(summary.open_at_end)]
    overview = read_rows(next(f for f in files if f.name.endswith("-overview.csv")))
    assert ["依限辦結率（%）", ""] in overview or any(
        r[0] == "依限辦結率（%）" and float(r[1]) >= 0 for r in overview
    )


def test_the_summary_says_days_to_close_are_calendar_days_and_how_deadlines_count(
    db: Database, tmp_path: Path
) -> None:
    secretary = person(db, 7301, Role.SECRETARIAT)
    filed = file_on(db, date(2026, 3, 2))
    do(db, filed.number, "assign", secretary, date(2026, 3, 3), unit="sec1")
    do(db, filed.number, "reply", secretary, date(2026, 3, 9), text="已依規定處理完畢。")
    do(db, filed.number, "close", secretary, date(2026, 3, 9))

    summary = db.call(build_summary, year=2026, month=3, today=TODAY, language="en")
    html, _, overview, *_ = write_report(summary, tmp_path / "en", "en")
    page = html.read_text(encoding="utf-8")
    assert "Median days to close (calendar days)" in page
    assert "deadlines are counted in working days on Taiwan" in page
    assert "Mean days to close (calendar days)" in overview.read_text(encoding="utf-8-sig")
    assert "7.0 calendar days to close" in summary_text(summary, "en")

    summary = db.call(
        build_summary, year=2026, month=3, today=TODAY, language="zh-TW", counting="calendar"
    )
    html, *_ = write_report(summary, tmp_path / "zh", "zh-TW")
    page = html.read_text(encoding="utf-8")
    assert "辦結日數中位數（日曆天）" in page and "處理期限以日曆天計算" in page
    assert "7.0 日（日曆天）" in summary_text(summary, "zh-TW")
    assert summary_text(summary, "zh-TW").startswith("<b>民國 115 年 3 月")  # as the files say


def test_the_report_files_hold_no_reporter_identity(db: Database, tmp_path: Path) -> None:
    seed_march(db)
    summary = db.call(build_summary, year=2026, month=3, today=TODAY, language="zh-TW")
    paths = write_report(summary, tmp_path, "zh-TW", roc=True)
    assert [p.name for p in paths] == COMPLAINT_FILES
    html = paths[0].read_text(encoding="utf-8")
    for csv_path in paths[1:-1]:
        raw_csv = csv_path.read_bytes()
        for secret in ("王小明", "0912345678", str(REPORTER)):
            assert secret not in html
            assert secret.encode() not in raw_csv
        assert raw_csv.startswith(b"\xef\xbb\xbf")
    assert "民國 115 年 3 月" in html and "P2026-00004" in html
    assert paths[-1].read_bytes().startswith(b"\x89PNG")


def test_a_month_without_cases_still_gets_an_all_zero_report(db: Database, tmp_path: Path) -> None:
    summary = db.call(build_summary, year=2026, month=5, today=TODAY, language="en")
    assert summary.empty and summary.received == summary.closed == summary.open_at_end == 0
    paths = write_report(summary, tmp_path, "en")
    assert "No cases this month." in paths[0].read_text(encoding="utf-8")
    assert all(p.stat().st_size > 0 for p in paths)
