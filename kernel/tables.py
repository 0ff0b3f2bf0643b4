"""Report tables declared once: each column is a header key, a getter and a kind, and the HTML
table macro (`reports/macros.html.j2`), the CSV writer and the chat text all read the same
declaration, so a column added to a report appears in all three.

A kind says how a value is written:

| kind    | page (HTML)                       | CSV (`kernel.csvfiles`)          | chat       |
|---------|-----------------------------------|----------------------------------|------------|
| count   | as is, right-aligned              | a number                         | as is      |
| percent | a share as percent, one decimal   | a number of percent (87.8)       | 87.8%      |
| days    | one decimal, right-aligned        | a number, one decimal            | one decimal|
| figure  | one decimal, right-aligned        | a number, one decimal            | one decimal|
| mean    | a 1–5 mean with two decimals      | two decimals kept (4.00)         | two decimals|
| date    | 115/11/30 or 2026-11-30           | with its weekday (`csv_day`)     | as on page |
| code    | as is, never wrapped              | as is                            | as is      |
| text    | marked with its language (`lx`)   | neutralised text                 | as is      |

A percent column's header says "(%)", so the page and the CSV write no % sign; a missing value
is "—" on the page and in chat, an empty cell in a CSV. Whole days and counts stay whole.
A total row (`foot`) heads itself without a class.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from markupsafe import Markup

from kernel import csvfiles
from kernel.pages import in_language
from kernel.reporting import format_day, format_stamp, plain, produced_now

R = TypeVar("R")
MISSING = "—"


class Kind(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    DAYS = "days"
    FIGURE = "figure"
    MEAN = "mean"
    DATE = "date"
    CODE = "code"
    TEXT = "text"


NUMERIC = frozenset({Kind.COUNT, Kind.PERCENT, Kind.DAYS, Kind.FIGURE, Kind.MEAN})
_CELL_CLASS = {
    Kind.COUNT: "n",
    Kind.PERCENT: "n nowrap",
    Kind.DAYS: "n",
    Kind.FIGURE: "n",
    Kind.MEAN: "n",
    Kind.DATE: "nowrap",
    Kind.CODE: "nowrap",
    Kind.TEXT: "name",
}


def percent(value: float | None) -> str:
    """A share (0.878) as a number of percent with one decimal, no sign: 87.8."""
    return MISSING if value is None else f"{value * 100:.1f}"


def percent_sign(value: float | None) -> str:
    """A share as chat writes it: 87.8%."""
    return MISSING if value is None else f"{value * 100:.1f}%"


def percent_number(value: float | None) -> float | None:
    """A share as a CSV writes it: a number of percent with one decimal (87.8)."""
    return None if value is None else round(value * 100, 1)


def decimal(value: float | None, digits: int = 1) -> str:
    """A figure with `digits` decimals, or — when there is none."""
    return MISSING if value is None else f"{value:.{digits}f}"


def _decimal_number(value: float | None) -> float | int | None:
    if value is None or isinstance(value, int):
        return value
    return round(value, 1)


def _decimal_text(value: float | None) -> str:
    return decimal(value) if isinstance(value, float) or value is None else str(value)


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: its header's catalogue key, how to get its value from a row, its kind.
    `css` replaces the kind's cell class on the page ("" for none)."""

    header: str
    get: Callable[[R], Any]
    kind: Kind
    css: str | None = None

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC

    @property
    def cell_class(self) -> str:
        return _CELL_CLASS[self.kind] if self.css is None else self.css


@dataclass(frozen=True)
class Table(Generic[R]):
    """A report table: its caption key, its columns, whether the first column heads its row,
    and the key of the text shown when there are no rows (None: the table has always rows)."""

    caption: str
    columns: tuple[Column[R], ...]
    row_header: bool = True
    empty: str | None = "summary.none"

    def html(self, row: R, language: str, *, roc: bool, foot: bool = False) -> Markup:
        """The cells of one row on a page (the table macro calls it)."""
        return html_row(self, row, language, roc=roc, foot=foot)

    def renamed(self, caption: str, first_header: str) -> Table[R]:
        """The same columns under another caption and first header (one table per group)."""
        first, *rest = self.columns
        column = Column(first_header, first.get, first.kind, first.css)
        return Table(caption, (column, *rest), self.row_header, self.empty)

    def header(self, language: str) -> list[str]:
        """The CSV header in `language`."""
        return [plain(language, c.header) for c in self.columns]

    def csv_rows(self, rows: Iterable[R], language: str, *, roc: bool) -> list[list[object]]:
        """The rows as `kernel.csvfiles` writes them."""
        return [[csv_value(c, row, language, roc=roc) for c in self.columns] for row in rows]

    def csv(self, suffix: str, rows: Iterable[R], language: str, *, roc: bool) -> CsvTable:
        """The table as one CSV file of a report."""
        return CsvTable(
            suffix,
            plain(language, self.caption),
            self.header(language),
            self.csv_rows(rows, language, roc=roc),
        )

    def text_cells(self, row: R, language: str, *, roc: bool) -> list[str]:
        """One row as chat writes it (plain text; the caller escapes)."""
        return [text_value(c, row, language, roc=roc) for c in self.columns]


def csv_value(column: Column[R], row: R, language: str, *, roc: bool) -> object:
    """The value of `column` in `row` for a CSV cell."""
    value = column.get(row)
    if value is None:
        return None
    match column.kind:
        case Kind.PERCENT:
            return percent_number(value)
        case Kind.DAYS | Kind.FIGURE:
            return _decimal_number(value)
        case Kind.MEAN:
            return csvfiles.fixed(value, 2)
        case Kind.DATE:
            return csvfiles.csv_day(value, language, roc=roc)
        case _:
            return value


def text_value(column: Column[R], row: R, language: str, *, roc: bool) -> str:
    """The value of `column` in `row` for chat."""
    value = column.get(row)
    match column.kind:
        case Kind.PERCENT:
            return percent_sign(value)
        case Kind.DAYS | Kind.FIGURE:
            return _decimal_text(value)
        case Kind.MEAN:
            return decimal(value, 2)
        case Kind.DATE:
            return format_day(value, language, roc=roc)
        case _:
            return MISSING if value is None else str(value)


def html_value(column: Column[R], row: R, language: str, *, roc: bool) -> Markup:
    """The value of `column` in `row` on a page, escaped."""
    value = column.get(row)
    match column.kind:
        case Kind.PERCENT:
            return Markup.escape(percent(value))
        case Kind.DAYS | Kind.FIGURE:
            return Markup.escape(_decimal_text(value))
        case Kind.MEAN:
            return Markup.escape(decimal(value, 2))
        case Kind.DATE:
            assert isinstance(value, date)
            return Markup.escape(format_day(value, language, roc=roc))
        case Kind.TEXT:
            return in_language(MISSING if value is None else value, language)
        case _:
            return Markup.escape(MISSING if value is None else str(value))


def html_cell(
    column: Column[R], row: R, language: str, *, roc: bool, heads: bool, foot: bool = False
) -> Markup:
    """One cell: `<th scope="row">` when it `heads` its row, else `<td>`, with its class (none
    for the head of a total row)."""
    tag = "th" if heads else "td"
    scope = ' scope="row"' if heads else ""
    css_class = "" if foot and heads else column.cell_class
    css = Markup(' class="{}"').format(css_class) if css_class else ""
    return Markup("<{}{}{}>{}</{}>").format(
        Markup(tag), Markup(scope), css, html_value(column, row, language, roc=roc), Markup(tag)
    )


def html_row(table: Table[R], row: R, language: str, *, roc: bool, foot: bool = False) -> Markup:
    """The cells of one row of `table` on a page (`foot`: its total row)."""
    return Markup("").join(
        html_cell(c, row, language, roc=roc, heads=table.row_header and i == 0, foot=foot)
        for i, c in enumerate(table.columns)
    )


class CsvTable(NamedTuple):
    """One CSV file of a report: its file-name suffix, the table's name (in its first line),
    the header and the rows."""

    suffix: str
    name: str
    header: list[str]
    rows: list[list[object]]


def write_csv_tables(
    out_dir: Path,
    stem: str,
    tables: Iterable[CsvTable],
    *,
    language: str,
    title: str,
    period: str,
    stamp: str,
    note: str = "",
) -> list[Path]:
    """`out_dir/stem-SUFFIX.csv` for each table (`stem.csv` for a report's only table, its
    suffix empty), one table per file, its first line naming
    the report, the table, the period and when it was produced (and `note`, when given)."""
    paths = []
    for table in tables:
        caption = plain(
            language,
            "reports.csv_caption",
            title=title,
            table=table.name,
            period=period,
            stamp=stamp,
        )
        if note:
            caption += " " + note
        path = out_dir / (f"{stem}-{table.suffix}.csv" if table.suffix else f"{stem}.csv")
        paths.append(csvfiles.write_csv(path, caption, table.header, table.rows))
    return paths


@dataclass(frozen=True)
class ReportFiles:
    """What one report writes: `stem.html` (its page, given the moment it is produced), one
    CSV per table (`stem-SUFFIX.csv`, their first lines naming `title`, the table, `period` and
    the moment, and `note` when there is one) and, with `chart`, `stem.png`."""

    stem: str
    language: str
    roc: bool
    title: str
    period: str
    page: Callable[[datetime], str]
    tables: list[CsvTable]
    chart: Callable[[Path], object] | None = None
    note: str = ""


def write_report_files(
    files: ReportFiles, out_dir: Path, *, produced: datetime | None = None
) -> list[Path]:
    """The page, the CSV files and the chart in `out_dir`, all stamped with one moment
    (`produced`, else now); their paths in that order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    when = produced or produced_now()
    html = out_dir / f"{files.stem}.html"
    html.write_text(files.page(when), encoding="utf-8")
    paths = [html]
    paths += write_csv_tables(
        out_dir,
        files.stem,
        files.tables,
        language=files.language,
        title=files.title,
        period=files.period,
        stamp=format_stamp(when, files.language, roc=files.roc),
        note=files.note,
    )
    if files.chart is not None:
        png = out_dir / f"{files.stem}.png"
        files.chart(png)
        paths.append(png)
    return paths
