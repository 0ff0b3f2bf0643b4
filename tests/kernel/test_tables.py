"""A declared table: one column list read by the page, the CSV writer and the chat text, each
value written by its kind; and a report's files written in one step."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter
from pathlib import Path
from zoneinfo import ZoneInfo

from kernel.tables import (
    Column,
    CsvTable,
    Kind,
    ReportFiles,
    Table,
    write_csv_tables,
    write_report_files,
)


@dataclass(frozen=True)
class Line:
    number: str
    unit: str
    count: int
    share: float | None
    days: float | None
    due: date


TABLE: Table[Line] = Table(
    "summary.overdue",
    (
        Column("summary.number", attrgetter("number"), Kind.CODE),
        Column("summary.unit", attrgetter("unit"), Kind.TEXT),
        Column("summary.count", attrgetter("count"), Kind.COUNT),
        Column("period.on_time_pct", attrgetter("share"), Kind.PERCENT),
        Column("summary.median_days", attrgetter("days"), Kind.DAYS),
        Column("reports.summary.due_on", attrgetter("due"), Kind.DATE, css="nowrap due"),
    ),
)
LINE = Line("P2026-00042", "第一課", 7, 0.8775, 12.25, date(2026, 11, 30))
EMPTY = Line("=cmd", "First Section", 0, None, None, date(2026, 11, 30))
STAMP = datetime(2026, 11, 26, 9, 30, tzinfo=ZoneInfo("Asia/Taipei"))


def test_the_header_is_the_columns_keys_in_the_language() -> None:
    assert TABLE.header("en")[:3] == ["Number", "Unit", "Cases"]
    assert TABLE.header("zh-TW")[3] == "依限辦結率（%）"


def test_a_csv_row_writes_numbers_as_numbers_and_dates_with_their_weekday() -> None:
    assert TABLE.csv_rows([LINE], "zh-TW", roc=True) == [
        ["P2026-00042", "第一課", 7, 87.8, 12.2, "115/11/30（一）"]
    ]
    assert TABLE.csv_rows([EMPTY], "en", roc=False) == [
        ["=cmd", "First Section", 0, None, None, "2026-11-30 (Mon)"]
    ]


def test_chat_text_writes_a_share_with_its_sign_and_a_missing_value_as_a_dash() -> None:
    assert TABLE.text_cells(LINE, "en", roc=False) == [
        "P2026-00042",
        "第一課",
        "7",
        "87.8%",
        "12.2",
        "2026-11-30",
    ]
    assert TABLE.text_cells(EMPTY, "en", roc=False)[3:5] == ["—", "—"]


def test_a_page_row_heads_itself_and_marks_text_in_the_other_language() -> None:
    html = str(TABLE.html(LINE, "en", roc=True))
    assert html == (
        '<th scope="row" class="nowrap">P2026-00042</th>'
        '<td class="name"><span lang="zh-TW">第一課</span></td>'
        '<td class="n">7</td>'
        '<td class="n nowrap">87.8</td>'
        '<td class="n">12.2</td>'
        '<td class="nowrap due">115/11/30</td>'
    )
    foot = str(TABLE.html(EMPTY, "en", roc=False, foot=True))
    assert foot.startswith('<th scope="row">=cmd</th>')
    assert '<td class="n nowrap">—</td><td class="n">—</td>' in foot


def test_text_on_a_page_is_escaped() -> None:
    line = Line("<b>", "<script>", 1, 1.0, 3, date(2026, 1, 1))
    html = str(TABLE.html(line, "en", roc=False))
    assert "<b>" not in html and "<script>" not in html and "&lt;script&gt;" in html
    assert '<td class="n">3</td>' in html  # whole days stay whole


def test_a_renamed_table_keeps_its_columns_under_another_caption() -> None:
    renamed = TABLE.renamed("summary.by_unit", "summary.unit")
    assert renamed.caption == "summary.by_unit" and renamed.columns[1:] == TABLE.columns[1:]
    assert renamed.columns[0].header == "summary.unit"
    assert renamed.columns[0].get(LINE) == "P2026-00042"


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text("utf-8-sig").splitlines()))


def test_csv_tables_are_one_file_each_with_their_caption_line(tmp_path: Path) -> None:
    tables = [
        TABLE.csv("overdue", [LINE], "en", roc=False),
        CsvTable("", "Evidence", ["a"], [[1]]),
    ]
    paths = write_csv_tables(
        tmp_path,
        "report",
        tables,
        language="en",
        title="Title",
        period="2026-11-01 – 2026-11-30",
        stamp="2026-11-26 09:30",
        note="(no results yet)",
    )
    assert [p.name for p in paths] == ["report-overdue.csv", "report.csv"]
    first = _rows(paths[0])
    assert "Title" in first[0][0] and "2026-11-26 09:30" in first[0][0]
    assert first[0][0].endswith(" (no results yet)")
    assert first[1] == TABLE.header("en") and first[2][2] == "7"
    assert _rows(paths[1])[2] == ["1"]


def test_a_reports_files_share_one_moment_and_come_in_order(tmp_path: Path) -> None:
    drawn: list[Path] = []
    files = ReportFiles(
        stem="complaints-2026-10",
        language="en",
        roc=False,
        title="Title",
        period="October",
        page=lambda when: f"<p>{when:%H:%M}</p>",
        tables=[TABLE.csv("overdue", [LINE], "en", roc=False)],
        chart=lambda path: drawn.append(path) or path.write_bytes(b"png"),
    )
    paths = write_report_files(files, tmp_path / "out", produced=STAMP)
    assert [p.name for p in paths] == [
        "complaints-2026-10.html",
        "complaints-2026-10-overdue.csv",
        "complaints-2026-10.png",
    ]
    assert paths[0].read_text("utf-8") == "<p>09:30</p>"
    assert "2026-11-26 09:30" in _rows(paths[1])[0][0]
    assert drawn == [paths[2]]


def test_a_mean_keeps_two_decimals_on_the_page_in_a_csv_and_in_chat() -> None:
    means: Table[float | None] = Table(
        "surveys.report.trend", (Column("surveys.report.mean", lambda v: v, Kind.MEAN),)
    )
    assert str(means.csv_rows([4.0], "en", roc=False)[0][0]) == "4.00"
    assert means.csv_rows([None], "en", roc=False) == [[None]]
    assert str(means.html(3.891, "en", roc=False)) == '<th scope="row" class="n">3.89</th>'
    assert means.text_cells(4.0, "en", roc=False) == ["4.00"]
