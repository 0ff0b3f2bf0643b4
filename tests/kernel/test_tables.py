"""A declared table: one column list read by the page, the CSV writer and the chat text, each
value written by its kind; and a report's files written in one step."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from operator import attrgetter, itemgetter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from kernel.tables import (
    Column,
    CsvTable,
    Kind,
    Named,
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


@dataclass(frozen=True)
class Answer:
    unit: Named
    mean: float | None
    change: float | None
    share: float | None
    interval: tuple[float, float] | None
    remarks: tuple[str, ...] = ()


SIGNED: Table[Answer] = Table(
    "surveys.report.items",
    (
        Column("summary.unit", attrgetter("unit"), Kind.TEXT),
        Column("surveys.report.change", attrgetter("change"), Kind.CHANGE),
        Column(
            "surveys.report.satisfied",
            attrgetter("share"),
            Kind.PERCENT,
            signed=True,
            csv_headers=("surveys.report.satisfied_pct",),
        ),
        Column(
            "surveys.report.ci",
            attrgetter("interval"),
            Kind.INTERVAL,
            signed=True,
            csv_headers=("surveys.report.ci_low_pct", "surveys.report.ci_high_pct"),
        ),
        Column("surveys.report.score_n", attrgetter("mean"), Kind.MEAN, values=(("score", 5),)),
    ),
)
ANSWER = Answer(Named("First Section", "第一課"), 4.135, 0.25, 0.786, (0.731, 0.832))
NOBODY = Answer(Named("Second Section"), None, -0.4, None, None)


def test_a_change_carries_its_sign_and_an_interval_its_two_ends() -> None:
    assert SIGNED.text_cells(ANSWER, "en", roc=False) == [
        "First Section (第一課)",
        "+0.25",
        "78.6%",
        "73.1–83.2%",
        "4.14",
    ]
    assert SIGNED.text_cells(NOBODY, "en", roc=False) == [
        "Second Section",
        "-0.40",
        "—",
        "—",
        "—",
    ]


def test_a_column_whose_page_header_lacks_the_percent_is_headed_by_its_csv_headers() -> None:
    assert [c.heading("en") for c in SIGNED.columns][2:] == [
        "Satisfied (4–5)",
        "95% interval",
        "Answers 5",
    ]
    assert SIGNED.header("en")[2:] == [
        "Satisfied (%)",
        "95% interval from (%)",
        "95% interval to (%)",
        "Answers 5",
    ]
    row = SIGNED.csv_rows([ANSWER], "en", roc=False)[0]
    assert row[0] == "First Section"  # a CSV writes the name alone
    assert [str(row[1]), row[2], row[3], row[4], str(row[5])] == [
        "0.25",
        78.6,
        73.1,
        83.2,
        "4.14",
    ]
    assert SIGNED.csv_rows([NOBODY], "en", roc=False)[0][2:] == [None, None, None, None]
    assert len(SIGNED.header("en")) == len(row)


def test_a_mean_is_rounded_once_so_the_page_and_the_csv_agree() -> None:
    # 4.135 is 4.13499… in binary: "%.2f" gave 4.13 on the page while the CSV said 4.14.
    page = str(SIGNED.html(ANSWER, "en", roc=False))
    assert page.endswith('<td class="n">4.14</td>')
    assert str(SIGNED.csv_rows([ANSWER], "en", roc=False)[0][-1]) == "4.14"


def test_a_signed_share_and_its_interval_on_a_page() -> None:
    page = str(SIGNED.html(ANSWER, "en", roc=False))
    assert page == (
        '<th scope="row" class="name">First Section (<span lang="zh-TW">第一課</span>)</th>'
        '<td class="n">+0.25</td>'
        '<td class="n nowrap">78.6%</td>'
        '<td class="n nowrap">73.1–83.2%</td>'
        '<td class="n">4.14</td>'
    )
    unsigned = Column(
        "surveys.report.ci", attrgetter("interval"), Kind.INTERVAL, csv_headers=("a", "b")
    )
    assert str(Table("t", (unsigned,), row_header=False).html(ANSWER, "en", roc=False)) == (
        '<td class="n nowrap">73.1–83.2</td>'
    )


def test_an_interval_must_say_how_its_two_csv_cells_are_headed() -> None:
    with pytest.raises(ValueError, match="two CSV headers"):
        Column("surveys.report.ci", attrgetter("interval"), Kind.INTERVAL)
    with pytest.raises(ValueError, match="1 CSV header"):
        Column("summary.count", attrgetter("mean"), Kind.COUNT, csv_headers=("a", "b"))


def test_lines_are_one_per_line_on_a_page_and_joined_in_a_csv() -> None:
    remarks: Table[Answer] = Table(
        "t", (Column("assessment.table.remarks", attrgetter("remarks"), Kind.LINES),), False
    )
    answer = Answer(Named("x"), None, None, None, None, ("複評後調整", "<b>published</b>"))
    assert str(remarks.html(answer, "zh-TW", roc=True)) == (
        '<td class="remarks">複評後調整<br>'
        '<span lang="en">&lt;b&gt;published&lt;/b&gt;</span></td>'
    )
    assert remarks.csv_rows([answer], "zh-TW", roc=True) == [["複評後調整；<b>published</b>"]]
    assert remarks.csv_rows([answer], "en", roc=False) == [["複評後調整; <b>published</b>"]]
    assert str(remarks.html(NOBODY, "en", roc=False)) == '<td class="remarks"></td>'


def test_a_spanning_column_is_written_once_across_the_rows_and_another_may_head_them() -> None:
    table: Table[Line] = Table(
        "t",
        (
            Column("summary.unit", attrgetter("unit"), Kind.TEXT, spans=True),
            Column("summary.count", attrgetter("count"), Kind.CODE, css="n"),
            Column("summary.number", attrgetter("number"), Kind.TEXT),
        ),
        head=2,
    )
    first = [str(c) for c in table.cells(LINE, "zh-TW", roc=True, spanned=3)]
    assert first == [
        '<td rowspan="3" class="name">第一課</td>',
        '<td class="n">7</td>',
        '<th scope="row" class="name">P2026-00042</th>',
    ]
    assert str(table.cells(LINE, "zh-TW", roc=True)[0]) == ""
    assert table.csv_rows([LINE], "zh-TW", roc=True) == [["第一課", 7, "P2026-00042"]]


def test_the_long_form_writes_one_row_per_figure() -> None:
    assert SIGNED.long_rows([ANSWER], "en", roc=False)[1:4] == [
        ["First Section", "Satisfied (%)", 78.6],
        ["First Section", "95% interval from (%)", 73.1],
        ["First Section", "95% interval to (%)", 83.2],
    ]
    assert len(SIGNED.long_rows([ANSWER, NOBODY], "en", roc=False)) == 2 * 5


def test_a_column_read_through_a_part_of_a_larger_row() -> None:
    column = Column("summary.count", itemgetter(1), Kind.COUNT).through(attrgetter("values"))

    @dataclass(frozen=True)
    class Larger:
        values: list[int]

    assert column.get(Larger([3, 4])) == 4 and column.header == "summary.count"


def test_a_code_a_spreadsheet_would_read_as_a_number_or_a_date_is_guarded_in_a_csv_only() -> None:
    codes: Table[object] = Table("t", (Column("summary.number", lambda v: v, Kind.CODE),))
    written = codes.csv_rows(
        ["04595257", "2026-1-007", "P2026-00042", "2026 R1", 3], "en", roc=False
    )
    assert written == [["#04595257"], ["#2026-1-007"], ["P2026-00042"], ["2026 R1"], [3]]
    assert str(codes.html("04595257", "en", roc=False)) == (
        '<th scope="row" class="nowrap">04595257</th>'
    )
    assert codes.text_cells("04595257", "en", roc=False) == ["04595257"]
