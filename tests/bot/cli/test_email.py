"""`bsmi-desk email import|show|remove`: a list only gets confirmation requests (every row or
none), and a person's address is shown and deleted."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select
from typer.testing import CliRunner

from bot.cli.app import app
from storage.db import Database
from storage.models import AuditEntry, Delivery, EmailRequest, EmailSubscriber


def run(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_import_lists_every_bad_row_then_sends_only_confirmation_requests(
    cli: CliRunner, db: Database, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "email,categories,frequency,language\n"
        "mei@example.com,rpc;cns,immediately,zh-TW\n"
        "not-an-address,rpc,daily,en\n"
        "lin@example.com,toys,weekly,en\n"
        "MEI@example.com,rpc,daily,en\n",
        encoding="utf-8",
    )
    code, out, err = run(cli, "email", "import", str(bad))
    assert code == 2 and out == ""
    assert "Line 3: “not-an-address” is not a valid e-mail address" in err
    assert "Line 4: There is no category “toys”." in err
    assert "Line 5: the address is also on line 2" in err
    assert err.strip().endswith(
        "3 rows of the file are wrong (the first on line 3); no confirmation e-mail was sent."
    )
    with db.reading() as session:
        assert session.exec(select(EmailRequest)).all() == []
    good = tmp_path / "good.csv"
    good.write_bytes(  # Big5, as Excel on a Taiwanese Windows saves it
        "email,categories,frequency,language\n"
        "mei@example.com,rpc;cns,immediately,zh-TW\n"
        "lin@example.com,metrology,weekly,en\n"
        "chen@例子.台灣,rpc,daily,zh-TW\n".encode("big5")
    )
    code, out, err = run(cli, "email", "import", str(good))
    assert code == 0, err
    assert "3 confirmation e-mails sent; 0 addresses" in out
    with db.reading() as session:
        assert session.exec(select(EmailSubscriber)).all() == []
        assert len(session.exec(select(EmailRequest)).all()) == 3
        assert len(session.exec(select(Delivery).where(Delivery.channel == "email")).all()) == 3
    code, out, _ = run(cli, "email", "import", str(good))
    assert "0 confirmation e-mails sent; 3 addresses" in out


def test_show_and_remove_serve_a_persons_request(
    cli: CliRunner, db: Database, tmp_path: Path
) -> None:
    csv = tmp_path / "one.csv"
    csv.write_text(
        "email,categories,frequency,language\nmei@example.com,rpc,daily,en\n", encoding="utf-8"
    )
    assert run(cli, "email", "import", str(csv))[0] == 0
    code, out, _ = run(cli, "email", "show", "Mei@Example.com")
    assert code == 0 and "mei@example.com: a request made" in out and "daily digest" in out
    code, out, _ = run(cli, "email", "remove", "mei@example.com")
    assert code == 0 and "(0 subscriptions, 1 requests)" in out
    code, out, _ = run(cli, "email", "show", "mei@example.com")
    assert out.strip() == "There is no subscription or request for mei@example.com."
    code, _, err = run(cli, "email", "show", "nobody")
    assert code == 2 and "“nobody” is not a valid e-mail address" in err
    with db.reading() as session:
        audit = session.exec(select(AuditEntry)).all()
        rows = session.exec(select(Delivery).where(Delivery.channel == "email")).all()
    assert "cli.remove_command" in [a.action for a in audit]
    assert [r.status for r in rows] == ["failed"] and rows[0].email_hash
    # the log keeps what was done, not the address removed: its keyed hash, as the rows keep it
    assert not [a for a in audit if "mei@" in (a.detail or "").lower()]
    removal = next(a for a in audit if a.action == "cli.remove_command")
    assert f"hmac:{rows[0].email_hash}" in (removal.detail or "")
