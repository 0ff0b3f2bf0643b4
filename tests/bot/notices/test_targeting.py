"""Notices targeted by 統一編號: lists read as lines or CSV, invalid numbers refused with
their lines, the union with categories each chat once, and the numbers not reached."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from bot.cli.app import app
from bot.notices import publishing
from bot.notices.status import notice_status
from bot.notices.targeting import BadList, reach, read_tax_ids
from kernel.clock import utcnow
from kernel.errors import UserError
from storage.db import Database
from storage.models import Delivery, Notice
from tests.factories import add_firm

LINKED = ["83045210", "27505051"]
UNLINKED = ["72979298", "82608285", "73935045"]


def test_a_list_is_one_number_a_line_or_a_csv_with_a_tax_id_column() -> None:
    assert read_tax_ids("\ufeff83045210\n\n27505051\n83045210\n") == ["83045210", "27505051"]
    csv_text = 'name,tax_id\n"甲, 公司",83045210\n乙,2750-5051\n'
    assert read_tax_ids(csv_text) == ["83045210", "27505051"]


def test_a_list_takes_the_hash_and_quote_marks_spreadsheets_put_before_a_number() -> None:
    # `#04595257` is how the product's own CSVs write it, `'04595257` how Excel keeps it text.
    assert read_tax_ids("#83045210\n'27505051\n８３０４５２１０\n") == ["83045210", "27505051"]
    assert read_tax_ids("tax_id\n#83045210\n'27505051\n") == ["83045210", "27505051"]


def test_a_malformed_list_is_one_sentence_naming_its_line() -> None:
    # A blank first line gave "'tax_id' is not in list"; a stray quote a csv.Error.
    assert read_tax_ids("\n\ntax_id,name\n83045210,甲\n") == ["83045210"]
    with pytest.raises(UserError) as raised:
        read_tax_ids('tax_id,name\n83045210,甲\n"27505051,乙\n' + "x" * 200_000 + "\n")
    assert (raised.value.key, raised.value.values["line"]) == ("files.csv_bad_quote", 3)
    with pytest.raises(UserError) as raised:
        read_tax_ids("tax_id,tax_id\n83045210,27505051\n")
    assert raised.value.key == "files.csv_duplicate_column"
    with pytest.raises(UserError) as raised:
        read_tax_ids("tax_id\n83045210\n27505051,乙\n")
    assert (raised.value.key, raised.value.values["line"]) == ("files.csv_row_too_wide", 3)


def test_invalid_numbers_are_refused_with_their_lines() -> None:
    with pytest.raises(BadList) as raised:
        read_tax_ids("83045210\n12345678\n27505051\n0459525\n")
    assert [(p.line, p.values["value"]) for p in raised.value.problems] == [
        (2, "12345678"),
        (4, "0459525"),
    ]
    with pytest.raises(UserError, match="targeting.empty"):
        read_tax_ids("\n \n")


def firms(db: Database) -> None:
    def add(session: Session) -> None:
        first = add_firm(session, 901, ["rpc"])
        first.tax_id = LINKED[0]
        second = add_firm(session, 902, [])
        second.tax_id = LINKED[1]
        add_firm(session, 903, ["rpc"])  # subscribed, no number
        add_firm(session, 904, [])  # neither
        session.add_all([first, second])

    db.call(add)


def chats(db: Database, notice_id: int) -> list[int]:
    def read(session: Session) -> list[int]:
        rows = session.exec(
            select(Delivery.chat_id)
            .where(Delivery.notice_id == notice_id)
            .order_by(col(Delivery.chat_id))
        ).all()
        return list(rows)

    return db.call(read)


def test_five_numbers_two_linked_reach_two_chats_once_and_three_are_unreached(
    db: Database,
) -> None:
    firms(db)
    numbers = LINKED + UNLINKED
    found = db.call(reach, tax_ids=numbers)
    assert (found.count, found.linked, found.chats, found.unreached) == (5, 2, 2, UNLINKED)
    alone = db.call(
        publishing.publish, title="T", body="B", codes=[], created_by_id=None, tax_ids=numbers
    )
    assert alone.recipients == 2 and chats(db, alone.notice_id) == [901, 902]
    status = db.call(notice_status, notice_id=alone.notice_id)
    assert status.as_json()["unreached"] == 3 and list(status.unreached) == sorted(UNLINKED)
    # with a category 901 is subscribed to, 901 still gets it once; 903 by the category
    both = db.call(
        publishing.publish,
        title="T",
        body="B",
        codes=["rpc"],
        created_by_id=None,
        tax_ids=numbers,
    )
    assert both.recipients == 3 and chats(db, both.notice_id) == [901, 902, 903]
    assert db.call(notice_status, notice_id=both.notice_id).as_json()["unreached"] == 3


def test_a_scheduled_targeted_notice_counts_each_chat_once_and_reaches_them_at_release(
    db: Database,
) -> None:
    firms(db)
    now = utcnow()
    later = db.call(
        publishing.publish,
        title="T",
        body="B",
        codes=["rpc"],
        created_by_id=None,
        tax_ids=LINKED,
        at=now + timedelta(hours=1),
        now=now,
    )
    assert not later.released and later.recipients == 3
    assert db.call(notice_status, notice_id=later.notice_id).as_json()["unreached"] == 0
    db.call(publishing.release_due_notices, now=now + timedelta(hours=2))
    assert chats(db, later.notice_id) == [901, 902, 903]

    def kind(session: Session) -> str:
        found = session.get(Notice, later.notice_id)
        assert found is not None
        return found.kind

    assert db.call(kind) == "notice"


def test_a_notice_needs_categories_or_numbers(db: Database) -> None:
    with pytest.raises(UserError, match="notices.no_category"):
        db.call(publishing.publish, title="T", body="B", codes=[], created_by_id=None)


def test_a_targeted_notice_that_would_reach_no_chat_is_refused_and_not_created(
    db: Database, cli: CliRunner, tmp_path: Path
) -> None:
    # It was sent anyway: "Sent, 0 recipients".
    firms(db)
    with pytest.raises(UserError) as raised:
        db.call(
            publishing.publish, title="T", body="B", codes=[], created_by_id=None, tax_ids=UNLINKED
        )
    assert raised.value.key == "targeting.nobody" and raised.value.values == {"count": 3}

    def notices(session: Session) -> int:
        return len(session.exec(select(Notice)).all())

    assert db.call(notices) == 0
    listed, body = tmp_path / "firms.txt", tmp_path / "body.txt"
    listed.write_text("\n".join(UNLINKED) + "\n", encoding="utf-8")
    body.write_text("內容", encoding="utf-8")
    result = cli.invoke(
        app, ["notice", "send", "--tax-ids", str(listed), "--title", "T", "--body-file", str(body)]
    )
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.strip() == (
        "None of the 3 listed tax IDs is held by a chat that can be reached, so the notice "
        "was not created; reach these firms another way."
    )
    assert db.call(notices) == 0
