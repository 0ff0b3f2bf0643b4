"""`bsmi-desk courtesy staff`: a directory imported whole or refused line by line (a Big5 file
from Excel read and said so), a warning naming the planned calls a new directory breaks, an
inspector linked to a Telegram account, and the directory listed."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from storage.db import Database
from storage.queries.courtesy import fetch_test_views
from tests.bot.cli.courtesy.commands import import_directory, plan
from tests.factories import directory_csv, run_courtesy


def test_a_directory_with_bad_rows_is_refused_line_by_line(cli: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "staff.csv"
    bad.write_text("unit,name,extension,inspector\nsec1,甲,101,yes\nmars,乙,102,no\n", "utf-8")
    code, out, err = run_courtesy(cli, "staff", "import", str(bad))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "Nothing was imported; rows with problems: 1.",
        "line 3: unknown unit “mars” "
        "(use a unit code such as sec1 or its Chinese name such as 第一課)",
    ]


def test_linking_an_inspector_says_what_it_did_and_the_list_shows_it(
    cli: CliRunner, tmp_path: Path
) -> None:
    import_directory(cli, tmp_path)
    code, out, _ = run_courtesy(cli, "staff", "link", "201", "777001")
    assert code == 0 and "granted the inspector role" in out
    code, _, err = run_courtesy(cli, "staff", "link", "202", "777002")
    assert code == 2 and "is not an inspector" in err
    listed = run_courtesy(cli, "staff", "list")[1].splitlines()
    assert listed[0] == "unit,name,extension,inspector,switchboard,active,linked"
    assert "sec1,職員201,201,yes,no,yes,yes" in listed


def test_a_telegram_id_out_of_range_is_one_line(cli: CliRunner, tmp_path: Path) -> None:
    plan(cli, tmp_path)
    code, _, err = run_courtesy(cli, "staff", "link", "201", "99999999999999999999999")
    assert code == 2 and "is not a Telegram user id" in err
    assert len(err.strip().splitlines()) == 1


def test_a_reimport_that_breaks_planned_calls_warns_which_ones(
    cli: CliRunner, tmp_path: Path, database_url: str
) -> None:
    staff = plan(cli, tmp_path)
    db = Database(database_url)
    with db.transaction() as session:
        views = fetch_test_views(session=session)
    db.dispose()
    leaver = views[0].inspector_extension
    theirs = sorted(v.code for v in views if leaver in (v.inspector_extension, v.extension))
    lines = directory_csv().splitlines()
    staff.write_text("\n".join(x for x in lines if f",{leaver}," not in x) + "\n", "utf-8")
    code, out, err = run_courtesy(cli, "staff", "import", str(staff))
    assert code == 0 and "1 deactivated" in out
    assert f"Warning: {len(theirs)} unscored calls" in err
    assert all(test in err for test in theirs[:20])
    code, _, err = run_courtesy(cli, "staff", "import", str(staff))
    assert code == 0 and "Warning" in err  # still stranded until the year is planned again
    run_courtesy(cli, "plan", "--year", "2026", "--seed", "5")
    assert run_courtesy(cli, "staff", "import", str(staff))[2] == ""


def test_a_big5_directory_as_excel_on_zh_tw_windows_saves_it_is_imported_saying_so(
    cli: CliRunner, tmp_path: Path
) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_bytes(directory_csv().replace("\n", "\r\n").encode("cp950"))
    code, out, err = run_courtesy(cli, "staff", "import", str(staff))
    assert code == 0, err
    assert out.startswith("Directory imported: 84 added")
    assert err.strip() == f"Read {staff} as Big5 (CP950)."
    listed = run_courtesy(cli, "staff", "list")[1]
    assert "職員202" in listed


def test_a_directory_row_with_an_extra_field_is_refused_with_its_line_number(
    cli: CliRunner, tmp_path: Path
) -> None:
    staff = tmp_path / "staff.csv"
    lines = directory_csv().splitlines()
    lines[3] += ",多出來的欄位"
    staff.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run_courtesy(cli, "staff", "import", str(staff))
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "Line 4 has 6 fields but the header has 5; quote a field that holds a comma."
    ]
