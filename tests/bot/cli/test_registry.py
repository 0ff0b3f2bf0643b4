"""`bsmi-desk registry import|show|unreachable`, `category set-renewal`, `notice send
--tax-ids` with `notice status --json/--unreached`, and `report notices`."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session, col, select
from typer.testing import CliRunner

from bot.cli.app import app
from kernel.clock import utcnow
from storage.db import Database
from storage.models import CategoryRenewal, Delivery
from tests.factories import add_firm

LINKED = ["83045210", "27505051"]
UNLINKED = ["72979298", "82608285", "73935045"]


def run(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_import_lists_every_bad_row_and_a_good_file_is_shown_by_firm(
    cli: CliRunner, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "tax_id,kind,number,product,expires_on\n"
        "83045210,rpc,R-1,Fan,2030-01-31\n"
        "83045211,rpc,R-2,Fan,2030-01-31\n"
        "83045210,toys,R-3,Fan,2030-01-31\n",
        encoding="utf-8",
    )
    code, out, err = run(cli, "registry", "import", str(bad))
    assert code == 2 and out == ""
    assert "Line 3: the tax ID (統一編號) “83045211” fails" in err
    assert "Line 4: the kind “toys” is not a category code" in err
    assert err.strip().endswith(
        "2 rows of the file are wrong (the first on line 3); nothing was imported."
    )
    good = tmp_path / "good.csv"
    good.write_text(
        "tax_id,kind,number,product,expires_on,holder\n83045210,rpc,R-1,Fan & Co,119/01/31,甲\n",
        encoding="utf-8",
    )
    code, out, err = run(cli, "registry", "import", str(good))
    assert code == 0, err
    assert "1 added" in out and "3 reminders planned" in out
    code, out, _ = run(cli, "registry", "show", "83045210")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Registration of Product Certification R-1 (Fan & Co) expires 2030-01-31"
    assert lines[1:] == [
        "  90-day reminder: planned 2029-11-02, planned",  # a Friday
        "  30-day reminder: planned 2029-12-31, planned",
        "  7-day reminder: planned 2030-01-24, planned",
    ]
    code, _, err = run(cli, "registry", "show", "83045211")
    assert code == 2 and "check digit" in err


def test_unreachable_and_set_renewal(cli: CliRunner, db: Database, tmp_path: Path) -> None:
    soon = (utcnow().date() + timedelta(days=30)).isoformat()
    rows = tmp_path / "rows.csv"
    rows.write_text(
        f"tax_id,kind,number,product,expires_on\n{UNLINKED[0]},cns,C-1,Helmet,{soon}\n",
        encoding="utf-8",
    )
    assert run(cli, "registry", "import", str(rows))[0] == 0
    code, out, _ = run(cli, "registry", "unreachable", "--within", "90")
    assert code == 0 and f"{UNLINKED[0]}  CNS Mark C-1 (Helmet)" in out and "1 certificates" in out
    code, out, _ = run(cli, "registry", "unreachable", "--within", "10")
    assert "Every certificate expiring within 10 days" in out
    assert run(cli, "registry", "unreachable", "--within", "0")[0] == 2
    code, out, _ = run(
        cli,
        "category",
        "set-renewal",
        "cns",
        "--zh",
        "請至本局網站申請展延",
        "--en",
        "Apply online",
    )
    assert code == 0 and "cns" in out
    with db.transaction() as session:
        found = session.exec(select(CategoryRenewal)).one()
    assert (found.text_zh, found.text_en) == ("請至本局網站申請展延", "Apply online")
    assert run(cli, "category", "set-renewal", "toys", "--zh", "x", "--en", "y")[0] == 2


def test_a_notice_to_five_numbers_two_linked_reaches_two_chats_and_three_are_unreached(
    cli: CliRunner, db: Database, tmp_path: Path
) -> None:
    def firms(session: Session) -> None:
        for telegram_id, tax_id, codes in ((801, LINKED[0], ["rpc"]), (802, LINKED[1], [])):
            person = add_firm(session, telegram_id, codes)
            person.tax_id = tax_id
            session.add(person)
        add_firm(session, 803, [])

    db.call(firms)
    body = tmp_path / "body.txt"
    body.write_text("Power banks are now regulated.", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text("tax_id\n83045210\n1234567X\n", encoding="utf-8")
    code, out, err = run(
        cli, "notice", "send", "--tax-ids", str(bad), "--title", "T", "--body-file", str(body)
    )
    assert code == 2 and "Line 3:" in err and "1234567X" in err
    listed = tmp_path / "firms.csv"
    listed.write_text(
        "name,tax_id\n" + "\n".join(f"firm {n},{n}" for n in LINKED + UNLINKED), encoding="utf-8"
    )
    code, out, err = run(
        cli,
        "notice",
        "send",
        "--tax-ids",
        str(listed),
        "--category",
        "rpc",
        "--title",
        "Regulated",
        "--body-file",
        str(body),
    )
    assert code == 0, err
    assert "Not reached: 3 tax IDs have no linked chat." in out
    notice_id = out.strip().splitlines()[-1]

    def chats(session: Session) -> list[int]:
        rows = session.exec(
            select(Delivery.chat_id)
            .where(Delivery.notice_id == int(notice_id))
            .order_by(col(Delivery.chat_id))
        ).all()
        return list(rows)

    assert db.call(chats) == [801, 802]
    code, out, _ = run(cli, "notice", "status", notice_id, "--json")
    assert json.loads(out)["unreached"] == 3 and json.loads(out)["total"] == 2
    code, out, _ = run(cli, "notice", "status", notice_id, "--unreached")
    assert out.split() == sorted(UNLINKED)
    code, _, err = run(cli, "notice", "send", "--title", "T", "--body-file", str(body))
    assert code == 2 and "category or a list" in err


def test_report_notices_writes_the_page_and_its_tables(cli: CliRunner, tmp_path: Path) -> None:
    code, out, err = run(
        cli, "report", "notices", "--month", "2026-01", "--out", str(tmp_path / "r")
    )
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "r").iterdir())
    assert names == [
        "notices-2026-01-delivery.csv",
        "notices-2026-01-kinds.csv",
        "notices-2026-01-unreachable.csv",
        "notices-2026-01.html",
    ]
    page = (tmp_path / "r" / "notices-2026-01.html").read_text("utf-8")
    assert "<caption>" in page and 'scope="col"' in page and "<svg" in page
    code, _, err = run(cli, "report", "notices", "--month", "2026-13", "--out", str(tmp_path))
    assert code == 2 and "Traceback" not in err
