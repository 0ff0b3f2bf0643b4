"""Report tables declared once: each column is a header key, a getter and a kind, and the HTML
table macro (`reports/macros.html.j2`), the CSV writer and the chat text all read the same
declaration, so a column added to a report appears in all three.

A kind says how a value is written:

| kind     | page (HTML)                       | CSV (`kernel.csvfiles`)          | chat        |
|----------|-----------------------------------|----------------------------------|-------------|
| count    | as is, right-aligned              | a number                         | as is       |
| percent  | a share as percent, one decimal   | a number of percent (87.8)       | 87.8%       |
| days     | one decimal, right-aligned        | a number, one decimal            | one decimal |
| figure   | one decimal, right-aligned        | a number, one decimal            | one decimal |
| mean     | a mean with two decimals: 4.00    | two decimals kept (4.00)         | as on page  |
| change   | a change of a mean, signed: +0.25 | two decimals kept (0.25)         | as on page  |
| interval | two shares as percent: 43.7–83.7  | two numbers of percent, from, to | 43.7–83.7%  |
| date     | 115/11/30 or 2026-11-30           | with its weekday (`csv_day`)     | as on page  |
| code     | as is, never wrapped              | as is; # first if it reads as a  | as is       |
|          |                                   | number or date (`csvfiles.code`) |             |
| text     | marked with its language (`lx`)   | neutralised text                 | as is       |
| lines    | each line marked, one per line    | joined by ；or ;                 | as in CSV   |

A percent or interval column's header says "(%)", so the page and the CSV write no % sign; a
column whose page header does not (`signed`) writes the sign on the page and is headed in the
CSV by `csv_headers`, which say it (an interval's two: from and to). A missing value is "—" on
the page and in chat, an empty cell in a CSV. Whole days and counts stay whole; a mean and a
change are rounded once (`csvfiles.fixed`), so the page, the CSV and chat never disagree. A
text value may be a `Named`: a name with the one the reader knows it by beside it on the page.
A total row (`foot`) heads itself without a class.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, NamedTuple, TypeVar

from markupsafe import Markup

from kernel import csvfiles
from kernel.pages import in_language
from kernel.reporting import format_day, format_stamp, plain, produced_now

R = TypeVar("R")
S = TypeVar("S")
MISSING = "—"
_NUMBER_LIKE = re.compile(r"[0-9][0-9 ./:-]*\Z")
"""A code a spreadsheet would read as a number or a date (a tax ID, `2026-1-007`)."""


class Kind(StrEnum):
    COUNT = "count"
    PERCENT = "percent"
    DAYS = "days"
    FIGURE = "figure"
    MEAN = "mean"
    CHANGE = "change"
    INTERVAL = "interval"
    DATE = "date"
    CODE = "code"
    TEXT = "text"
    LINES = "lines"


NUMERIC = frozenset(
    {Kind.COUNT, Kind.PERCENT, Kind.DAYS, Kind.FIGURE, Kind.MEAN, Kind.CHANGE, Kind.INTERVAL}
)
_CELL_CLASS = {
    Kind.COUNT: "n",
    Kind.PERCENT: "n nowrap",
    Kind.DAYS: "n",
    Kind.FIGURE: "n",
    Kind.MEAN: "n",
    Kind.CHANGE: "n",
    Kind.INTERVAL: "n nowrap",
    Kind.DATE: "nowrap",
    Kind.CODE: "nowrap",
    Kind.TEXT: "name",
    Kind.LINES: "remarks",
}


class Named(NamedTuple):
    """A text value with, on the page, the name its reader knows it by beside it in brackets
    (an English unit name and its Chinese one); a CSV writes the name alone."""

    name: str
    aside: str | None = None

    def __str__(self) -> str:
        return self.name if self.aside is None else f"{self.name} ({self.aside})"


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


def fixed_text(value: float | None, places: int = 2) -> str:
    """`value` rounded as a CSV writes it (`csvfiles.fixed`), or — when there is none."""
    return MISSING if value is None else str(csvfiles.fixed(value, places))


def change_text(value: float | None) -> str:
    """A change of a mean with its sign and two decimals: +0.25, -0.40, +0.00."""
    if value is None:
        return MISSING
    rounded = csvfiles.fixed(value, 2)
    assert rounded is not None
    return str(rounded) if rounded.is_signed() else f"+{rounded}"


def interval_text(value: tuple[float, float] | None, *, sign: bool) -> str:
    """Two shares as percent, 43.7–83.7 (with `sign`, 43.7–83.7%), or — when there is none."""
    if value is None:
        return MISSING
    low, high = value
    return f"{percent(low)}–{percent(high)}{'%' if sign else ''}"


def _lines_separator(language: str) -> str:
    return "；" if language == "zh-TW" else "; "


def _decimal_number(value: float | None) -> float | int | None:
    if value is None or isinstance(value, int):
        return value
    return round(value, 1)


def _decimal_text(value: float | None) -> str:
    return decimal(value) if isinstance(value, float) or value is None else str(value)


@dataclass(frozen=True)
class Column(Generic[R]):
    """One column: its header's catalogue key, how to get its value from a row, its kind.
    `css` replaces the kind's cell class on the page ("" for none); `signed` writes a percent's
    sign on the page, whose header then does not say "(%)", and `csv_headers` are the keys
    heading its CSV cells instead (an interval has two: from and to); `values` fill the
    header's placeholders; a column that `spans` holds one value for every row, written once
    on the page across them (附表2's agency)."""

    header: str
    get: Callable[[R], Any]
    kind: Kind
    css: str | None = None
    signed: bool = False
    csv_headers: tuple[str, ...] = ()
    values: tuple[tuple[str, object], ...] = ()
    spans: bool = False

    def __post_init__(self) -> None:
        cells = 2 if self.kind is Kind.INTERVAL else 1
        if self.kind is Kind.INTERVAL and len(self.csv_headers) != 2:
            raise ValueError(f"{self.header}: an interval is headed by two CSV headers")
        if self.csv_headers and len(self.csv_headers) != cells:
            raise ValueError(f"{self.header}: {cells} CSV header(s), not {self.csv_headers}")

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC

    @property
    def cell_class(self) -> str:
        return _CELL_CLASS[self.kind] if self.css is None else self.css

    def heading(self, language: str) -> str:
        """The header on the page and in chat, in `language`."""
        return plain(language, self.header, **dict(self.values))

    def csv_heading(self, language: str) -> list[str]:
        """The header of each of its CSV cells, in `language`."""
        keys = self.csv_headers or (self.header,)
        return [plain(language, key, **dict(self.values)) for key in keys]

    def through(self, part: Callable[[S], R]) -> Column[S]:
        """The same column reading its value from `part` of a larger row."""
        get = self.get
        return replace(self, get=lambda row: get(part(row)))  # type: ignore[arg-type, return-value]


@dataclass(frozen=True)
class Table(Generic[R]):
    """A report table: its caption key, its columns, whether a column heads its row (`head`,
    the first unless told), and the key of the text shown when there are no rows (None: the
    table has always rows)."""

    caption: str
    columns: tuple[Column[R], ...]
    row_header: bool = True
    empty: str | None = "summary.none"
    head: int = 0

    def html(self, row: R, language: str, *, roc: bool, foot: bool = False) -> Markup:
        """The cells of one row on a page (the table macro calls it)."""
        return html_row(self, row, language, roc=roc, foot=foot)

    def cells(
        self, row: R, language: str, *, roc: bool, spanned: int | None = None
    ) -> list[Markup]:
        """Each cell of one row on a page, for a page that lays its row out itself: a column
        that `spans` is written, across `spanned` rows, in the first row (the one given
        `spanned`) and is empty in the others."""
        return [
            html_cell(
                c,
                row,
                language,
                roc=roc,
                heads=self.row_header and i == self.head,
                rowspan=spanned if c.spans else None,
            )
            if spanned is not None or not c.spans
            else Markup("")
            for i, c in enumerate(self.columns)
        ]

    def renamed(self, caption: str, first_header: str) -> Table[R]:
        """The same columns under another caption and first header (one table per group)."""
        first, *rest = self.columns
        return replace(self, caption=caption, columns=(replace(first, header=first_header), *rest))

    def header(self, language: str) -> list[str]:
        """The CSV header in `language`."""
        return [h for c in self.columns for h in c.csv_heading(language)]

    def csv_rows(self, rows: Iterable[R], language: str, *, roc: bool) -> list[list[object]]:
        """The rows as `kernel.csvfiles` writes them."""
        return [
            [cell for c in self.columns for cell in csv_cells(c, row, language, roc=roc)]
            for row in rows
        ]

    def csv(
        self,
        suffix: str,
        rows: Iterable[R],
        language: str,
        *,
        roc: bool,
        caption: str | None = None,
    ) -> CsvTable:
        """The table as one CSV file of a report; `caption` in words replaces the table's."""
        return CsvTable(
            suffix,
            plain(language, self.caption) if caption is None else caption,
            self.header(language),
            self.csv_rows(rows, language, roc=roc),
        )

    def long_rows(self, rows: Iterable[R], language: str, *, roc: bool) -> list[list[object]]:
        """The rows in long form, one CSV row per figure: (what the row is about, the figure's
        header, its value) for each CSV cell of each column but the one heading the row."""
        heads = self.columns[self.head]
        out: list[list[object]] = []
        for row in rows:
            subject = csv_cells(heads, row, language, roc=roc)[0]
            for c in self.columns:
                if c is heads:
                    continue
                cells = csv_cells(c, row, language, roc=roc)
                out += [
                    [subject, h, v] for h, v in zip(c.csv_heading(language), cells, strict=True)
                ]
        return out

    def text_cells(self, row: R, language: str, *, roc: bool) -> list[str]:
        """One row as chat writes it (plain text; the caller escapes)."""
        return [text_value(c, row, language, roc=roc) for c in self.columns]


def csv_cells(column: Column[R], row: R, language: str, *, roc: bool) -> list[object]:
    """The CSV cells of `column` in `row`: two for an interval (from, to), else one."""
    if column.kind is Kind.INTERVAL:
        value = column.get(row)
        return [None, None] if value is None else [percent_number(v) for v in value]
    return [csv_value(column, row, language, roc=roc)]


def csv_value(column: Column[R], row: R, language: str, *, roc: bool) -> object:
    """The value of `column` in `row` for a CSV cell (an interval has two: `csv_cells`)."""
    value = column.get(row)
    if value is None:
        return None
    match column.kind:
        case Kind.PERCENT:
            return percent_number(value)
        case Kind.DAYS | Kind.FIGURE:
            return _decimal_number(value)
        case Kind.MEAN | Kind.CHANGE:
            return csvfiles.fixed(value, 2)
        case Kind.DATE:
            return csvfiles.csv_day(value, language, roc=roc)
        case Kind.TEXT if isinstance(value, Named):
            return value.name
        case Kind.LINES:
            return _lines_separator(language).join(value)
        case Kind.INTERVAL:
            raise TypeError("an interval has two CSV cells: csv_cells")
        case Kind.CODE if isinstance(value, str) and _NUMBER_LIKE.match(value):
            return csvfiles.code(value)
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
            return fixed_text(value)
        case Kind.CHANGE:
            return change_text(value)
        case Kind.INTERVAL:
            return interval_text(value, sign=True)
        case Kind.DATE:
            return format_day(value, language, roc=roc)
        case Kind.LINES:
            return _lines_separator(language).join(value)
        case _:
            return MISSING if value is None else str(value)


def html_value(column: Column[R], row: R, language: str, *, roc: bool) -> Markup:
    """The value of `column` in `row` on a page, escaped."""
    value = column.get(row)
    match column.kind:
        case Kind.PERCENT:
            return Markup.escape(percent_sign(value) if column.signed else percent(value))
        case Kind.DAYS | Kind.FIGURE:
            return Markup.escape(_decimal_text(value))
        case Kind.MEAN:
            return Markup.escape(fixed_text(value))
        case Kind.CHANGE:
            return Markup.escape(change_text(value))
        case Kind.INTERVAL:
            return Markup.escape(interval_text(value, sign=column.signed))
        case Kind.DATE:
            assert isinstance(value, date)
            return Markup.escape(format_day(value, language, roc=roc))
        case Kind.TEXT if isinstance(value, Named):
            name = in_language(value.name, language)
            if value.aside is None:
                return name
            return Markup("{} ({})").format(name, in_language(value.aside, language))
        case Kind.TEXT:
            return in_language(MISSING if value is None else value, language)
        case Kind.LINES:
            return Markup("<br>").join(in_language(line, language) for line in value)
        case _:
            return Markup.escape(MISSING if value is None else str(value))


def html_cell(
    column: Column[R],
    row: R,
    language: str,
    *,
    roc: bool,
    heads: bool,
    foot: bool = False,
    rowspan: int | None = None,
) -> Markup:
    """One cell: `<th scope="row">` when it `heads` its row, else `<td>`, with its class (none
    for the head of a total row) and, given, the rows it spans."""
    tag = "th" if heads else "td"
    scope = ' scope="row"' if heads else ""
    span = Markup(' rowspan="{}"').format(rowspan) if rowspan is not None else ""
    css_class = "" if foot and heads else column.cell_class
    css = Markup(' class="{}"').format(css_class) if css_class else ""
    return Markup("<{}{}{}{}>{}</{}>").format(
        Markup(tag),
        Markup(scope),
        span,
        css,
        html_value(column, row, language, roc=roc),
        Markup(tag),
    )


def html_row(table: Table[R], row: R, language: str, *, roc: bool, foot: bool = False) -> Markup:
    """The cells of one row of `table` on a page (`foot`: its total row)."""
    return Markup("").join(
        html_cell(c, row, language, roc=roc, heads=table.row_header and i == table.head, foot=foot)
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
