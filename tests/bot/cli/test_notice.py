"""`bsmi-desk notice send|status` from a shell and in-process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select
from typer.testing import CliRunner

from bot.cli.app import app
from bot.notices.subscriptions import subscribe_by_codes
from kernel.clock import utcnow
from storage.db import Database
from storage.models import Delivery, Notice, NoticeAttachment, Person
from storage.queries.outbox.leases import acquire_lease, record_pause

REPO = Path(__file__).resolve().parents[3]


def run_cli(*args: str, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "WEBHOOK_"))}
    env.update({"DATABASE_URL": database_url, "DEFAULT_LANGUAGE": "en"})
    env["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def add_subscriber(db: Database, telegram_id: int, code: str) -> None:
    def add(session) -> None:  # type: ignore[no-untyped-def]
        person = Person(telegram_id=telegram_id)
        session.add(person)
        session.flush()
        subscribe_by_codes(session=session, person_id=person.id, codes=[code], language="en")

    db.call(add)


def test_notice_send_prints_the_id_last_and_status_counts_as_json(
    tmp_path: Path, db: Database, database_url: str
) -> None:
    add_subscriber(db, 801, "cns")
    add_subscriber(db, 802, "batch")
    add_subscriber(db, 803, "market")
    body = tmp_path / "body.txt"
    body.write_text("第一段。\n\n第二段 <b>not markup</b>.", encoding="utf-8")
    attachment = tmp_path / "list.pdf"
    attachment.write_bytes(b"%PDF list")
    result = run_cli(
        "notice", "send", "--category", "cns", "--category", "batch", "--title", "Batch rules",
        "--body-file", str(body), "--attach", str(attachment),
        database_url=database_url, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    notice_id = int(result.stdout.strip().splitlines()[-1])
    assert "2 recipients" in result.stdout
    with db.transaction() as session:
        notice = session.get(Notice, notice_id)
        assert notice is not None and notice.attachment_name == "list.pdf"
        assert session.get(NoticeAttachment, notice_id).content == b"%PDF list"  # type: ignore[union-attr]
        chats = sorted(
            d.chat_id
            for d in session.exec(select(Delivery).where(Delivery.notice_id == notice_id))
        )
    assert chats == [801, 802]
    status = run_cli("notice", "status", str(notice_id), "--json", database_url=database_url,
                     cwd=tmp_path)  # fmt: skip
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout) == {
        "notice_id": notice_id, "total": 2, "pending": 2, "retrying": 0, "sent": 0,
        "blocked": 0, "failed": 0, "unknown": 0, "unreached": 0, "paused": None,
        "telegram": {"total": 2, "pending": 2, "retrying": 0, "sent": 0, "blocked": 0,
                     "failed": 0, "unknown": 0},
        "email": {"total": 0, "pending": 0, "retrying": 0, "sent": 0, "blocked": 0,
                  "failed": 0, "unknown": 0},
    }  # fmt: skip
    plain = run_cli("notice", "status", str(notice_id), database_url=database_url, cwd=tmp_path)
    assert "total 2  sent 0  pending 2" in plain.stdout
    assert "paused" not in plain.stdout


def test_notice_status_says_when_delivery_is_paused_by_an_error_and_since_when(
    tmp_path: Path, db: Database, database_url: str
) -> None:
    add_subscriber(db, 811, "cns")
    body = tmp_path / "body.txt"
    body.write_text("Text", encoding="utf-8")
    sent = run_cli("notice", "send", "--category", "cns", "--title", "Held", "--body-file",
                   str(body), database_url=database_url, cwd=tmp_path)  # fmt: skip
    notice_id = int(sent.stdout.strip().splitlines()[-1])
    since = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
    lease = "delivery:123456"
    db.call(acquire_lease, name=lease, owner="w", now=utcnow(), lease=timedelta(seconds=30))
    db.call(record_pause, name=lease, owner="w", since=since, reason="OSError: disk full")
    status = run_cli("notice", "status", str(notice_id), "--json", database_url=database_url,
                     cwd=tmp_path)  # fmt: skip
    assert status.returncode == 0, status.stderr
    found = json.loads(status.stdout)
    assert found["pending"] == 1 and found["total"] == 1
    assert found["paused"] == {
        "since": "2026-03-02T01:30:00+00:00",
        "reason": "OSError: disk full",
    }
    plain = run_cli("notice", "status", str(notice_id), database_url=database_url, cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.strip().splitlines()[-1] == (
        "Delivery is paused by an error since 2026-03-02 09:30 (Asia/Taipei): OSError: disk full"
    )


def test_no_archive_keeps_a_category_notice_off_the_public_pages(
    tmp_path: Path, db: Database, cli: CliRunner
) -> None:
    add_subscriber(db, 811, "cns")
    body = tmp_path / "body.txt"
    body.write_text("Internal.", encoding="utf-8")
    ids = []
    for extra in ([], ["--no-archive"]):
        args = ["notice", "send", "--category", "cns", "--title", "T", "--body-file", str(body)]
        result = cli.invoke(app, [*args, *extra])
        assert result.exit_code == 0, result.output
        ids.append(int(result.stdout.strip().splitlines()[-1]))
    with db.transaction() as session:
        public = [session.get(Notice, i).public for i in ids]  # type: ignore[union-attr]
    assert public == [True, False]


def test_notice_send_at_a_future_time_schedules_it(
    tmp_path: Path, db: Database, database_url: str
) -> None:
    body = tmp_path / "body.txt"
    body.write_text("Later.", encoding="utf-8")
    day = (utcnow() + timedelta(days=30)).astimezone(ZoneInfo("Asia/Taipei")).date()
    result = run_cli(
        "notice", "send", "--category", "events", "--title", "Talk", "--body-file", str(body),
        "--at", f"{day.isoformat()}T09:30", database_url=database_url, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"scheduled for {day.isoformat()} 09:30" in result.stdout
    notice_id = int(result.stdout.strip().splitlines()[-1])
    with db.transaction() as session:
        notice = session.get(Notice, notice_id)
        assert notice is not None and notice.state == "scheduled"
        assert notice.scheduled_at is not None
        assert notice.scheduled_at.isoformat() == f"{day.isoformat()}T01:30:00+00:00"  # +8


def test_bad_notice_input_is_refused_with_one_line_and_exit_code_2(
    tmp_path: Path, database_url: str
) -> None:
    body = tmp_path / "body.txt"
    body.write_text("Text", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    big = tmp_path / "big.bin"
    with big.open("wb") as handle:
        handle.truncate(51 * 1024 * 1024)  # sparse: no disk used
    cases = [
        (["--category", "nope", "--title", "T", "--body-file", str(body)], "no category “nope”"),
        (["--category", "cns", "--title", " ", "--body-file", str(body)], "title cannot be empty"),
        (["--category", "cns", "--title", "T", "--body-file", str(empty)], "text cannot be empty"),
        (
            ["--category", "cns", "--title", "T", "--body-file", str(body), "--attach", str(big)],
            "over Telegram's limit of 50 MB",
        ),
        (
            ["--category", "cns", "--title", "T", "--body-file", str(body), "--at", "soon"],
            "not a valid time",
        ),
        (["--category", "cns", "--title", "T", "--body-file", "missing.txt"], "not found"),
    ]
    for args, expected in cases:
        result = run_cli("notice", "send", *args, database_url=database_url, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stdout, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], result.stderr
        assert "Traceback" not in result.stderr
    unknown = run_cli("notice", "status", "999", database_url=database_url, cwd=tmp_path)
    assert unknown.returncode == 2 and "There is no notice #999." in unknown.stderr


def _notice(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    """`bsmi-desk notice ARGS…` in-process: exit code, stdout, stderr."""
    result = cli.invoke(app, ["notice", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_big5_body_file_is_read_and_the_encoding_said(
    cli: CliRunner, tmp_path: Path, db: Database
) -> None:
    body = tmp_path / "body.txt"
    body.write_bytes("本局公告：商品安全標章新制。\n\n請依規定辦理。".encode("cp950"))
    code, out, err = _notice(
        cli, "send", "--category", "cns", "--title", "新制", "--body-file", str(body)
    )
    assert code == 0, err
    assert err.strip() == f"Read {body} as Big5 (CP950)."
    notice_id = int(out.strip().splitlines()[-1])
    with db.transaction() as session:
        notice = session.get(Notice, notice_id)
        assert notice is not None and notice.body.startswith("本局公告：商品安全標章新制。")


def test_out_of_range_notice_ids_and_far_times_are_one_line_not_a_traceback(
    cli: CliRunner, tmp_path: Path
) -> None:
    body = tmp_path / "body.txt"
    body.write_text("Text", encoding="utf-8")
    for notice_id in ("99999999999999999999", "0", "-5", "9223372036854775808"):
        code, _, err = _notice(cli, "status", "--", notice_id)
        assert code == 2, (notice_id, err)
        assert err.strip() == f"There is no notice #{notice_id}.", err
    for at in ("9999-12-31", "2999-01-01T09:00+08:00"):
        code, _, err = _notice(
            cli, "send", "--category", "cns", "--title", "T", "--body-file", str(body), "--at", at
        )
        assert code == 2, (at, err)
        assert len(err.strip().splitlines()) == 1 and "within a year" in err, err


def test_titles_and_bodies_lose_nul_and_control_characters_before_storing(
    cli: CliRunner, tmp_path: Path, db: Database
) -> None:
    body = tmp_path / "body.txt"
    body.write_text("第一段\x07\x1b[31m。\n\n\tsecond\x7f part\x85.", encoding="utf-8")
    code, out, err = _notice(
        cli, "send", "--category", "cns", "--title", "A\x00B\x08C", "--body-file", str(body)
    )
    assert code == 0, err
    with db.transaction() as session:
        notice = session.get(Notice, int(out.strip().splitlines()[-1]))
        assert notice is not None
        assert notice.title == "ABC"
        assert notice.body == "第一段[31m。\n\n\tsecond part."
