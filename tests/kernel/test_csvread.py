"""The one CSV reader: every slip in a file is one sentence naming its line."""

from __future__ import annotations

import pytest

from kernel.csvread import FIELD_LIMIT, read_csv_table
from kernel.errors import UserError
from kernel.i18n import t


def refused(text: str, **options: object) -> UserError:
    options.setdefault("required", ("tax_id", "kind"))
    with pytest.raises(UserError) as raised:
        read_csv_table(text, **options)  # type: ignore[arg-type]
    for language in ("zh-TW", "en"):
        assert "{" not in t(language, raised.value.key, **raised.value.values)
    return raised.value


def test_blank_lines_before_the_header_are_skipped_and_lines_keep_their_numbers() -> None:
    table = read_csv_table(
        "\ufeff\n \n Tax_ID ,Kind\n04595257,cns\n\n22099131\n", required=("tax_id", "kind")
    )
    assert table.header == ["tax_id", "kind"]
    assert table.rows == [
        (4, {"tax_id": "04595257", "kind": "cns"}),
        (6, {"tax_id": "22099131", "kind": ""}),
    ]


def test_a_stray_quote_is_refused_with_the_line_it_starts_on() -> None:
    error = refused('tax_id,kind\n04595257,cns\n"22099131,rpc\n12345675,cns\n')
    assert (error.key, error.values["line"]) == ("files.csv_bad_quote", 3)
    long = "x" * (FIELD_LIMIT + 1)
    error = refused(f'tax_id,kind\n04595257,cns\n04595257,"{long}"\n')
    assert (error.key, error.values["line"]) == ("files.csv_bad_quote", 3)
    error = refused('tax_id,kind\n04595257,"cns"x\n')
    assert (error.key, error.values["line"]) == ("files.csv_bad_quote", 2)
    huge = "a" * 200_000  # past the csv module's own field limit
    error = refused(f'tax_id,kind\n"{huge}\n')
    assert (error.key, error.values["line"]) == ("files.csv_bad_quote", 2)


def test_the_header_is_checked_by_name() -> None:
    assert refused("tax_id,kind,Kind\n1,2,3\n").values == {"line": 1, "column": "kind"}
    error = refused("tax_id,kind,colour\n1,2,3\n")
    assert (error.key, error.values["columns"]) == ("files.csv_unknown_columns", "colour")
    error = refused("\n\ntax_id\n1\n")
    assert (error.key, error.values) == (
        "files.csv_missing_columns",
        {"line": 3, "columns": "kind"},
    )
    assert refused("tax_id,,kind\n").key == "files.csv_blank_column"
    assert refused("\n\n  \n").key == "files.csv_no_header"
    table = read_csv_table("tax_id,kind,speed\n1,2,3\n", required=("tax_id",), any_other=True)
    assert table.rows == [(2, {"tax_id": "1", "kind": "2", "speed": "3"})]


def test_a_row_wider_than_the_header_is_refused_with_its_line() -> None:
    error = refused("tax_id,kind\n1,2\n\n1,2,3\n")
    assert (error.key, error.values) == (
        "files.csv_row_too_wide",
        {"line": 4, "count": 3, "columns": 2},
    )
