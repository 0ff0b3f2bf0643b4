"""Cases received off-line, imported from CSV: every channel stored, a bad row refuses all, the
whole file checked before anything is written, then written in short batches that are all
removed again if a later one fails; files read as UTF-8 or Big5, one sentence for bad input."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

import bot.cases.importing as importing
from bot.cases.importing import import_cases
from bot.cli.app import app
from kernel.errors import UserError
from storage.db import Database
from storage.models import Case, CaseEvent, CaseReporter
from storage.queries.cases import fetch_case_by_number
from tests.factories import TZ, file_on

CSV_OK = "\n".join(
    [
        "channel,kind,received_on,subject,description,"
        "location,category,unit,contact_name,contact_phone",
        "phone,product,2026-03-02,電暖器 WarmUp HX-200,民眾來電反映電暖器插頭過熱,"
        "竹北市,market,sec2,陳先生,0922000111",
        "letter,service,2026-03-03,報驗櫃台等候時間過長,來函反映櫃台等候超過一小時,,,secretariat,,",
        "",
    ]
)
TODAY = date(2026, 11, 1)


def run_import(db: Database, text: str, **extra: object) -> list[str]:
    return import_cases(
        db=db, text=text, tz=TZ, reply_days=30, counting="working", today=TODAY, **extra
    )


def all_cases(db: Database) -> list[Case]:
    return db.call(lambda session: list(session.exec(select(Case).order_by(Case.id)).all()))


def rows(count: int) -> str:
    lines = ["channel,kind,received_on,subject,description,contact_name,contact_phone"]
    for n in range(count):
        lines.append(
            f"phone,product,2026-03-02,延長線 {n},民眾來電反映延長線過熱冒煙,陳先生,0922{n:06d}"
        )
    return "\n".join(lines) + "\n"


def test_import_stores_every_channel_and_refuses_a_bad_row_whole(db: Database) -> None:
    numbers = run_import(db, CSV_OK)
    assert numbers == ["P2026-00001", "S2026-00001"]
    first = db.call(fetch_case_by_number, number="P2026-00001")
    assert first is not None and first.channel == "phone" and first.state == "assigned"
    bad = CSV_OK + "fax,product,2026-03-04,延長線,傳真反映延長線過熱冒煙,,,,,\n"
    with pytest.raises(UserError) as refused:
        run_import(db, bad)
    assert refused.value.key == "case_import.bad_channel" and refused.value.values["line"] == 4
    count = db.call(lambda session: len(session.exec(select(Case)).all()))
    assert count == 2


def test_a_large_import_commits_batch_by_batch_so_others_can_write_in_between(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = Database(db.url)
    seen: list[int] = []
    original = db.transaction

    @contextmanager
    def watched() -> Iterator[Session]:
        with original() as session:
            yield session
        # after each commit another connection can write, and sees the batches so far
        seen.append(len(all_cases(other)))

    monkeypatch.setattr(db, "transaction", watched)
    numbers = run_import(db, rows(5), batch_size=2)
    other.dispose()
    assert numbers == [f"P2026-{n:05d}" for n in range(1, 6)]
    assert [n for n in seen if n] == [2, 4, 5, 5]


def test_a_later_batch_failing_removes_the_earlier_ones_and_gives_the_numbers_back(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    file_on(db, date(2026, 3, 1))  # P2026-00001, filed in chat before the import
    original = importing.store_batch
    calls = []

    def failing(session: Session, **kwargs: object) -> None:
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk I/O error")
        original(session, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importing, "store_batch", failing)
    with pytest.raises(UserError) as refused:
        run_import(db, rows(5), batch_size=2)
    assert refused.value.key == "case_import.failed" and "disk I/O error" in str(
        refused.value.values["reason"]
    )
    assert [c.number for c in all_cases(db)] == ["P2026-00001"]
    leftovers = db.call(
        lambda session: (
            len(session.exec(select(CaseEvent)).all()),
            len(session.exec(select(CaseReporter)).all()),
        )
    )
    assert leftovers == (1, 0)
    assert file_on(db, date(2026, 3, 3)).number == "P2026-00002"


def test_nothing_is_written_when_the_last_row_is_bad(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = []
    monkeypatch.setattr(importing, "store_batch", lambda session, **kwargs: written.append(kwargs))
    with pytest.raises(UserError) as refused:
        run_import(db, rows(5) + "phone,product,2026-03-02,延長線,太短\n", batch_size=2)
    assert refused.value.key == "case_import.short_description"
    assert refused.value.values["line"] == 7
    assert written == []


@pytest.mark.parametrize(
    ("received_on", "key"),
    [
        ("0001-01-01", "case_import.bad_date"),  # not a year the branch's records hold
        ("2026-W10-1", "case_import.bad_date"),  # an ISO week date fromisoformat took
        ("９９９/12/31", "case_import.bad_date"),
        ("2016-10-31", "case_import.too_old"),
        ("2026-11-02", "case_import.future_date"),
    ],
)
def test_a_received_date_out_of_the_last_ten_years_is_refused(
    db: Database, received_on: str, key: str
) -> None:
    text = rows(1) + f"phone,product,{received_on},延長線,民眾來電反映延長線過熱冒煙,,\n"
    with pytest.raises(UserError) as refused:
        run_import(db, text)
    assert refused.value.key == key and refused.value.values["line"] == 3
    assert run_import(db, rows(1).replace("2026-03-02", "2016-11-01")) == ["P2016-00001"]
    assert run_import(db, rows(1).replace("2026-03-02", "１１５/03/02")) == ["P2026-00001"]


def test_invisible_subjects_and_control_characters_in_an_import(db: Database) -> None:
    text = rows(0) + "phone,product,2026-03-02,\u200b\u200b\u200b,民眾來電反映延長線過熱冒煙,,\n"
    with pytest.raises(UserError) as refused:
        run_import(db, text)
    assert refused.value.key == "case_import.empty_subject"
    text = rows(0) + "phone,product,2026-03-02,延長線\x07 A-1,民眾來電\x1b反映延長線過熱冒煙,,\n"
    run_import(db, text)
    [case] = all_cases(db)
    assert case.subject == "延長線 A-1" and case.description == "民眾來電反映延長線過熱冒煙"


def invoke(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_the_cli_reads_a_big5_file_and_says_so(cli: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "received.csv"
    source.write_bytes(CSV_OK.encode("cp950"))
    code, out, err = invoke(cli, "case", "import", str(source))
    assert code == 0, err
    assert "Imported 2 cases" in out
    assert err.strip() == f"Read {source} as Big5 (CP950)."


def test_the_cli_refuses_a_row_with_an_extra_field_by_its_line(
    cli: CliRunner, tmp_path: Path, database_url: str
) -> None:
    source = tmp_path / "received.csv"
    source.write_text(
        rows(2) + "phone,product,2026-03-02,延長線,民眾來電反映延長線過熱冒煙,陳先生,0922,多的\n",
        encoding="utf-8",
    )
    code, out, err = invoke(cli, "case", "import", str(source))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "Line 4 has 8 fields but the header has 7; quote a field that holds a comma."
    ]
    check = Database(database_url)
    assert all_cases(check) == []
    check.dispose()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (None, "There is no file"),
        (b"channel,kind\x00", "not a text file"),
        (b"channel,kind,received_on,subject,description\n", "holds no cases"),
    ],
)
def test_the_cli_refuses_an_unreadable_file_in_one_sentence(
    cli: CliRunner, tmp_path: Path, content: bytes | None, said: str
) -> None:
    source = tmp_path / "received.csv"
    if content is not None:
        source.write_bytes(content)
    code, _, err = invoke(cli, "case", "import", str(source))
    assert code == 2 and said in err and len(err.strip().splitlines()) == 1
