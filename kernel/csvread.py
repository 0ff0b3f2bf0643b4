"""Every CSV the product reads, read one way: a person who hands the command line or the chat a
file with a slip in it gets one sentence naming the line (第 n 列), never a traceback.

- Text only (decode bytes first with `kernel.textfiles`); a byte-order mark is dropped.
- Blank lines before the header are skipped; line numbers stay those of the file.
- Header names are compared trimmed and lower-cased (`name` turns one into its canonical form);
  a column named twice, a column the file may not have, or a required column missing is
  refused by name.
- A row with more fields than the header is refused with its line; blank rows are skipped.
- A stray quote (an unclosed one runs on into the next lines) or a field longer than
  `FIELD_LIMIT` is refused with the line the row starts on; `csv.Error` never escapes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from kernel.errors import UserError

FIELD_LIMIT = 20_000
"""Characters a field may hold: more than any text the product keeps; a longer one is almost
always an unclosed quote swallowing the lines after it."""


@dataclass(frozen=True)
class CsvTable:
    header: list[str]
    """The column names as `name` made them, in the file's order."""
    rows: list[tuple[int, dict[str, str]]]
    """(line where the row starts, {column: field}); a short row's missing fields are ""."""


def _plain(raw: str) -> str:
    return raw.strip().lower()


def read_csv_table(
    text: str,
    *,
    required: Sequence[str],
    optional: Iterable[str] = (),
    any_other: bool = False,
    name: Callable[[str], str] = _plain,
) -> CsvTable:
    """The header and rows of `text`, or a UserError naming what is wrong and where.

    `required` columns must be present; `optional` ones may be; with `any_other` any further
    column is kept (a courtesy results file names its rubric's items), else it is refused."""
    lines = io.StringIO(text.lstrip("\ufeff"), newline="")
    reader = csv.reader(lines, strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    ended = 0  # the last physical line the reader consumed
    while True:
        start = ended + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error:
            raise UserError("files.csv_bad_quote", line=start, limit=FIELD_LIMIT) from None
        ended = reader.line_num
        if any(len(f) > FIELD_LIMIT for f in fields):
            raise UserError("files.csv_bad_quote", line=start, limit=FIELD_LIMIT)
        if not any(f.strip() for f in fields):
            continue
        if header is None:
            header = _header(fields, required, optional, any_other, name, start)
            continue
        if len(fields) > len(header):
            raise UserError(
                "files.csv_row_too_wide", line=start, count=len(fields), columns=len(header)
            )
        rows.append(
            (start, {c: (fields[i] if i < len(fields) else "") for i, c in enumerate(header)})
        )
    if header is None:
        raise UserError("files.csv_no_header", columns=",".join(required))
    return CsvTable(header, rows)


def _header(
    fields: list[str],
    required: Sequence[str],
    optional: Iterable[str],
    any_other: bool,
    name: Callable[[str], str],
    line: int,
) -> list[str]:
    header = [name(f) for f in fields]
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise UserError("files.csv_duplicate_column", line=line, column=column)
        seen.add(column)
    if "" in seen:
        raise UserError("files.csv_blank_column", line=line, position=header.index("") + 1)
    missing = [c for c in required if c not in seen]
    if missing:
        raise UserError("files.csv_missing_columns", line=line, columns=", ".join(missing))
    if not any_other:
        allowed = [*required, *optional]
        unknown = [c for c in header if c not in allowed]
        if unknown:
            raise UserError(
                "files.csv_unknown_columns",
                line=line,
                columns=", ".join(unknown),
                allowed=",".join(allowed),
            )
    return header
