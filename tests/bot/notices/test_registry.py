"""The certificate register's import: every row or none, bad rows listed by line, upserts by
(kind, number), --replace withdraws, a renewal replans."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from bot.notices.registry import (
    BadRows,
    firm_certificates,
    import_register,
    parse_expiry,
    set_renewal,
    unreachable_certificates,
)
from kernel.errors import UserError
from storage.db import Database
from storage.models import Certificate, Person

TZ = ZoneInfo("Asia/Taipei")
NOW = datetime.combine(date(2026, 1, 5), time(10), tzinfo=TZ)
FIRM = "83045210"
OTHER = "27505051"
HEADER = "tax_id,kind,number,product,expires_on,holder\n"


def load(db: Database, rows: str, *, replace: bool = False, now: datetime = NOW) -> object:
    return db.call(
        import_register, text=HEADER + rows, replace=replace, days=(90, 30, 7), tz=TZ, now=now
    )


def certificates(db: Database) -> list[tuple[str, str, date, bool]]:
    def read(session: Session) -> list[tuple[str, str, date, bool]]:
        found = session.exec(select(Certificate).order_by(col(Certificate.id))).all()
        return [(c.number, c.product, c.expires_on, c.withdrawn_at is not None) for c in found]

    return db.call(read)


def test_roc_and_western_dates_are_read_and_nonsense_is_not() -> None:
    assert parse_expiry("115/03/31") == date(2026, 3, 31)
    assert parse_expiry("99/1/2") == date(2010, 1, 2)
    assert parse_expiry("2026-03-31") == date(2026, 3, 31)
    assert parse_expiry("115/02/30") is None
    assert parse_expiry("31/03/2026") is None
    assert parse_expiry("") is None


def test_every_bad_row_is_listed_by_line_and_nothing_is_imported(db: Database) -> None:
    rows = (
        f"{FIRM},rpc,R-1,電風扇,115/03/31,甲公司\n"
        "12345678,rpc,R-2,p,2026-05-01,\n"  # wrong check digit
        f"{FIRM},toys,R-3,p,2026-05-01,\n"  # no such kind
        f"{FIRM},rpc,R-4,p,2026/13/01,\n"  # no such date
        f"{FIRM},rpc,R-1,p,2026-05-01,\n"  # R-1 again
    )
    with pytest.raises(BadRows) as raised:
        load(db, rows)
    found = [(p.line, p.key) for p in raised.value.problems]
    assert found == [
        (3, "registry.bad_tax_id"),
        (4, "registry.bad_kind"),
        (5, "registry.bad_date"),
        (6, "registry.duplicate"),
    ]
    assert raised.value.problems[3].values == {"number": "R-1", "other": 2}
    assert certificates(db) == []


def test_rows_are_upserted_by_kind_and_number_and_replace_withdraws_the_missing(
    db: Database,
) -> None:
    load(db, f"{FIRM},rpc,R-1,電風扇,115/03/31,\n{FIRM},cns,R-1,安全帽,2026-06-30,\n")
    done = load(db, f"{FIRM},rpc,R-1,電扇,115/03/31,\n{OTHER},type,T-9,秤,2026-08-01,\n")
    assert (done.added, done.updated, done.unchanged, done.withdrawn) == (1, 1, 0, 0)  # type: ignore[attr-defined]
    assert [c[:2] for c in certificates(db)] == [("R-1", "電扇"), ("R-1", "安全帽"), ("T-9", "秤")]
    done = load(db, f"{FIRM},rpc,R-1,電扇,115/03/31,\n", replace=True)
    assert (done.unchanged, done.withdrawn) == (1, 2)  # type: ignore[attr-defined]
    assert [c[3] for c in certificates(db)] == [False, True, True]
    shown = db.call(firm_certificates, tax_id=FIRM)
    withdrawn = next(c for c in shown if c.certificate.kind == "cns")
    assert {r.state for r in withdrawn.reminders} == {"cancelled"}


def test_unreachable_lists_only_certificates_in_force_soon_whose_firm_has_no_chat(
    db: Database,
) -> None:
    db.call(lambda session: session.add(Person(telegram_id=77, tax_id=FIRM)))
    load(
        db,
        f"{FIRM},rpc,R-1,p,2026-02-01,\n{OTHER},rpc,R-2,p,2026-02-01,\n"
        f"{OTHER},rpc,R-3,p,2026-12-01,\n{OTHER},rpc,R-4,p,2025-12-01,\n",
    )
    found = db.call(unreachable_certificates, within=90, today=NOW.date())
    assert [c.number for c in found] == ["R-2"]
    with pytest.raises(UserError):
        db.call(unreachable_certificates, within=0, today=NOW.date())


def test_a_renewal_text_belongs_to_a_known_category_and_is_not_empty(db: Database) -> None:
    assert (
        db.call(set_renewal, code="RPC", text_zh="請上網申請", text_en="Apply online", now=NOW)
        == "rpc"
    )
    with pytest.raises(UserError, match="unknown_category"):
        db.call(set_renewal, code="toys", text_zh="x", text_en="y", now=NOW)
    with pytest.raises(UserError, match="renewal_empty"):
        db.call(set_renewal, code="rpc", text_zh=" ", text_en="y", now=NOW)


def test_absurd_dates_are_refused_and_spreadsheet_marks_on_a_number_are_read(
    db: Database,
) -> None:
    rows = (
        f"{FIRM},rpc,R-1,p,2026-W53-7,\n"  # an ISO week date
        f"{FIRM},rpc,R-2,p,999/12/31,\n"  # ROC 999 = 2910
        f"{FIRM},rpc,R-3,p,9999-12-31,\n"  # reminders planned in the year 9999
    )
    with pytest.raises(BadRows) as raised:
        load(db, rows)
    assert [(p.line, p.key) for p in raised.value.problems] == [
        (2, "registry.bad_date"),
        (3, "registry.bad_date"),
        (4, "registry.bad_date"),
    ]
    load(db, f"#{FIRM},rpc,R-1,p,１１５/03/31,\n'{OTHER},rpc,R-2,p,2026-05-01,\n")
    assert [c[:3] for c in certificates(db)] == [
        ("R-1", "p", date(2026, 3, 31)),
        ("R-2", "p", date(2026, 5, 1)),
    ]
    with pytest.raises(UserError) as refused:
        load(db, f"{FIRM},rpc,R-9,p,2026-05-01,,extra\n")
    assert (refused.value.key, refused.value.values["line"]) == ("files.csv_row_too_wide", 2)
