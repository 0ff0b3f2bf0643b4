"""The one CSV writer: formulas neutralised, numbers kept, dates and codes a spreadsheet keeps."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kernel import csvfiles
from tests.reports.spreadsheet import read_rows, risky_cells, turns_into_a_date


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x","y")', "@SUM(1+1)", "+886 3 1234567", "-2+3", "\tx", "\rx"],
)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_quote(text: str) -> None:
    assert csvfiles.cell(text) == "'" + text


def test_numbers_stay_numbers_and_nothing_is_written_as_none() -> None:
    assert csvfiles.cell(-3) == -3 and csvfiles.cell(87.8) == 87.8
    assert csvfiles.cell(None) == ""
    assert csvfiles.cell("一般文字") == "一般文字"
    with pytest.raises(TypeError):
        csvfiles.cell(date(2026, 11, 30))


def test_dates_and_codes_are_written_so_no_spreadsheet_turns_them_into_dates() -> None:
    day = date(2026, 11, 30)
    written = [
        csvfiles.csv_day(day, "zh-TW", roc=True),
        csvfiles.csv_day(day, "zh-TW", roc=False),
        csvfiles.csv_day(day, "en", roc=False),
        csvfiles.code("2026-1-007"),
    ]
    assert written == ["115/11/30（一）", "2026-11-30（一）", "2026-11-30 (Mon)", "#2026-1-007"]
    assert not any(turns_into_a_date(text) for text in written)
    # the shapes this check catches, so it is not vacuous
    assert all(turns_into_a_date(t) for t in ("2026-1", "2026-1-007", "115/11/30", "Nov 2026"))


def test_a_file_has_a_caption_line_a_header_and_a_byte_order_mark(tmp_path: Path) -> None:
    path = csvfiles.write_csv(
        tmp_path / "t.csv", "=caption", ["=a", "b"], [["@x", 1], [None, 2.5]]
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = read_rows(path)
    assert rows == [["'=caption"], ["'=a", "b"], ["'@x", "1"], ["", "2.5"]]
    assert risky_cells(rows) == []
