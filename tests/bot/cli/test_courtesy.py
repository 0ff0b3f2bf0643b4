"""The `bsmi-desk courtesy` commands on a real database: one line on stderr and exit code 2 for
bad input, the schedule CSV, results, actions and reports; and the demo year."""

from __future__ import annotations

import random
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from courtesy.demo import seed_demo, write_demo_report
from kernel.clock import utcnow
from storage.db import Database
from storage.models import ActionStatus, AuditEntry, CourtesyResult
from storage.queries.courtesy import fetch_actions, fetch_latest_rubric, fetch_test_views
from tests.factories import directory_csv, run_courtesy

COURTESY_FILE_ENDS = (".html", "-units.csv", "-items.csv", "-trend.csv", ".png")


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


def test_plan_schedule_record_actions_and_report_from_the_command_line(
    cli: CliRunner, tmp_path: Path, database_url: str
) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(directory_csv(), encoding="utf-8")
    assert run_courtesy(cli, "staff", "import", str(staff))[1].startswith(
        "Directory imported: 84 added"
    )
    code, _, err = run_courtesy(cli, "plan", "--year", "2026", "--per-unit", "3")
    assert code == 2 and "at least 108" in err
    code, out, _ = run_courtesy(cli, "plan", "--year", "2026", "--seed", "5")
    assert code == 0 and "80 calls" in out
    first = run_courtesy(cli, "schedule", "--year", "2026", "--csv")[1]
    run_courtesy(cli, "plan", "--year", "2026", "--seed", "5")
    again = run_courtesy(cli, "schedule", "--year", "2026", "--csv")[1]
    assert again.splitlines()[1:] == first.splitlines()[1:]  # all but the produced-at line
    assert first.splitlines()[1] == (
        "Test,Round,Date,Time,Unit,Person called,Extension,Inspector,Inspector's unit"
    )
    assert len(first.splitlines()) == 82  # the caption line, the header, 80 calls

    db = Database(database_url)
    with db.transaction() as session:
        view = next(v for v in fetch_test_views(session=session) if v.template == "business")
    test_id = view.code
    items = ["unit_name=8", "greeting=6", "surname=6"]
    items += ["tone=5", "accuracy=5", "handling=0", "closing=5"]
    args = [arg for item in items for arg in ("--item", item)]
    code, _, err = run_courtesy(cli, "record", test_id, "--rings", "2", *args, "--item", "tone=7")
    assert code == 2
    assert err == "Item “tone” cannot get 7 points; allowed: 20, 15, 10, 5, 0.\n"
    code, _, err = run_courtesy(cli, "record", test_id, "--rings", "2", *args, "--item", "smile=1")
    assert code == 2 and "has no item “smile”" in err
    code, _, err = run_courtesy(cli, "record", "2026-9-999", "--rings", "2", *args)
    assert code == 2 and err == "There is no test “2026-9-999”.\n"
    code, out, _ = run_courtesy(cli, "record", test_id, "--unanswered", *args)
    assert code == 0 and "failed" in out and "corrective and preventive action #1 opened" in out
    code, _, err = run_courtesy(cli, "record", test_id, "--rings", "2", *args)
    assert code == 2 and "already scored" in err
    assert "#1 open" in run_courtesy(cli, "actions", "--open")[1]
    code, _, err = run_courtesy(cli, "action", "1", "--to", "closed")
    assert code == 2 and "still lacks: cause, plan, owner, due" in err
    code, _, err = run_courtesy(
        cli,
        "action",
        "1",
        "--cause",
        "c",
        "--plan",
        "p",
        "--owner",
        "o",
        "--due",
        "2026-06-30",
        "--done",
        "2026-06-01",
        "--to",
        "closed",
    )
    assert code == 2 and "no passing retest" in err
    # The refused command changed nothing: the fields go in again with the verification.
    code, out, _ = run_courtesy(
        cli,
        "action",
        "1",
        "--cause",
        "c",
        "--plan",
        "p",
        "--owner",
        "o",
        "--due",
        "2026-06-30",
        "--done",
        "2026-06-01",
        "--verification",
        "checked by phone",
        "--verified-by",
        "Chief",
        "--to",
        "closed",
    )
    assert code == 0 and "is now: closed" in out
    with db.transaction() as session:
        assert fetch_actions(session=session)[0].status == ActionStatus.CLOSED.value
        assert session.get(CourtesyResult, 1) is not None
    db.dispose()

    out_dir = tmp_path / "reports"
    code, out, _ = run_courtesy(cli, "report", "--round", "2026-1", "--out", str(out_dir))
    assert code == 0
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(
        f"courtesy-2026-1{end}" for end in COURTESY_FILE_ENDS
    )
    code, _, err = run_courtesy(cli, "report", "--round", "2026-7", "--out", str(out_dir))
    assert code == 2 and "is not a round" in err


def test_the_demo_fills_a_year_with_actions_in_several_states_and_writes_reports(
    db: Database, tmp_path: Path
) -> None:
    db.call(seed_demo, rng=random.Random(3), year=2025)
    with db.transaction() as session:
        views = fetch_test_views(session=session, year=2025)
        states = {a.status for a in fetch_actions(session=session)}
        critical = [a for a in fetch_actions(session=session) if a.critical]
    assert len([v for v in views if v.retest_of_action_id is None]) == 80
    assert all(v.status == "scored" for v in views if v.retest_of_action_id is None)
    assert {"open", "planned", "implemented", "verified"} <= states
    assert len(critical) == 1
    files = db.call(write_demo_report, out=tmp_path, year=2025)
    assert [f.name for f in files] == [
        *(f"courtesy-2025-3{end}" for end in COURTESY_FILE_ENDS),
        *(f"courtesy-2025{end}" for end in COURTESY_FILE_ENDS),
    ]


def test_linking_an_inspector_and_planning_an_unpublished_year_say_what_they_did(
    cli: CliRunner, tmp_path: Path
) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(directory_csv(), encoding="utf-8")
    run_courtesy(cli, "staff", "import", str(staff))
    code, out, _ = run_courtesy(cli, "staff", "link", "201", "777001")
    assert code == 0 and "granted the inspector role" in out
    code, _, err = run_courtesy(cli, "staff", "link", "202", "777002")
    assert code == 2 and "is not an inspector" in err
    code, out, _ = run_courtesy(cli, "plan", "--year", "2031")
    assert code == 0 and "make-up workdays may still change" in out
    listed = run_courtesy(cli, "staff", "list")[1].splitlines()
    assert listed[0] == "unit,name,extension,inspector,switchboard,active,linked"
    assert "sec1,職員201,201,yes,no,yes,yes" in listed


def test_schedule_prints_a_readable_list_per_round_and_csv_only_when_asked(
    cli: CliRunner, tmp_path: Path, database_url: str
) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(directory_csv(), encoding="utf-8")
    run_courtesy(cli, "staff", "import", str(staff))
    code, _, err = run_courtesy(cli, "schedule", "--year", "2026")
    assert code == 2 and "no courtesy test plan for 2026" in err
    run_courtesy(cli, "plan", "--year", "2026", "--seed", "5")
    readable = run_courtesy(cli, "schedule", "--year", "2026")[1].splitlines()
    table = run_courtesy(cli, "schedule", "--year", "2026", "--csv")[1].splitlines()
    assert table[0].startswith("Telephone courtesy tests 2026: schedule; period 2026-01-01")
    assert table[1].startswith("Test,Round,Date")
    assert readable[0] == "Round 2026-1: 27 calls"
    assert sum(line.startswith("Round 2026-") for line in readable) == 3
    assert len(readable) == 80 + 3
    first = table[2].split(",")
    assert first[0].startswith("#") and first[1] == "2026 R1"
    assert readable[1].split()[:3] == [first[0][1:], first[2].split(" ")[0], first[3]]
    assert f"ext. {first[6]}" in readable[1]


def test_a_too_long_owner_or_supervisor_name_is_refused_with_one_line(
    cli: CliRunner, tmp_path: Path, database_url: str
) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(directory_csv(), encoding="utf-8")
    run_courtesy(cli, "staff", "import", str(staff))
    run_courtesy(cli, "plan", "--year", "2026", "--seed", "5")
    db = Database(database_url)
    with db.transaction() as session:
        view = next(v for v in fetch_test_views(session=session) if v.template == "business")
    db.dispose()
    items = ["speed=25", "unit_name=8", "greeting=6", "surname=6"]
    items += ["tone=5", "accuracy=5", "handling=0", "closing=5"]
    args = [f"--item={i}" for i in items]
    assert (
        "corrective and preventive action #1" in run_courtesy(cli, "record", view.code, *args)[1]
    )
    code, _, err = run_courtesy(cli, "action", "1", "--owner", "x" * 65)
    assert code == 2 and err.strip() == "--owner takes at most 64 characters."
    code, _, err = run_courtesy(cli, "action", "1", "--verified-by", "y" * 65)
    assert code == 2 and err.strip() == "--verified-by takes at most 64 characters."
    assert run_courtesy(cli, "action", "1", "--owner", "x" * 64)[0] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("plan", "--year", "10000"), "use a year from 2000 to 2099"),
        (("plan", "--year", "2026", "--seed", "99999999999"), "--seed must be"),
        (("schedule", "--year", "99999999999"), "use a year from 2000 to 2099"),
        (("report", "--round", "99999999999-1", "--out", "x"), "is not a round"),
        (("report", "--year", "99999999999", "--out", "x"), "use a year from 2000 to 2099"),
        (
            ("action", "99999999999", "--to", "closed"),
            "no corrective and preventive action #99999999999",
        ),
        (("record", "2026-1-001", "--rings", "99999999999"), "Rings must be from 0 to 99"),
        (("record", "2026-1-001", "--rings", "2", "--retest-days", "9999999"), "--retest-days"),
        (("staff", "link", "201", "99999999999999999999999"), "is not a Telegram user id"),
        (("report", "--round", "2026-1", "--out", "x", "--lang", "fr"), "use zh-TW or en"),
    ],
)
def test_out_of_range_numbers_are_refused_with_one_line_not_a_traceback(
    cli: CliRunner, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(directory_csv(), encoding="utf-8")
    run_courtesy(cli, "staff", "import", str(staff))
    run_courtesy(cli, "plan", "--year", "2026", "--seed", "5")
    code, _, err = run_courtesy(cli, *args)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_a_reimport_that_breaks_planned_calls_warns_which_ones(
    cli: CliRunner, tmp_path: Path, database_url: str
) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(directory_csv(), encoding="utf-8")
    run_courtesy(cli, "staff", "import", str(staff))
    run_courtesy(cli, "plan", "--year", "2026", "--seed", "5")
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


def test_a_row_with_an_extra_field_is_refused_with_its_line_number(
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
    staff.write_text(directory_csv(), encoding="utf-8")
    run_courtesy(cli, "staff", "import", str(staff))
    run_courtesy(cli, "plan", "--year", "2026", "--seed", "5")
    results = tmp_path / "results.csv"
    results.write_text("test_id,rings,tone\n2026-1-001,2,20,extra\n", encoding="utf-8")
    code, _, err = run_courtesy(cli, "import", str(results))
    assert code == 2
    assert err.splitlines() == [
        "Line 2 has 4 fields but the header has 3; quote a field that holds a comma."
    ]


def test_a_big5_rubric_file_is_read(cli: CliRunner, tmp_path: Path, database_url: str) -> None:
    rubric = tmp_path / "rubric.json"
    items = (
        '[{"code": "speed", "max": 50, "choices": [50, 0], "name_zh": "接聽速度",'
        ' "name_en": "Speed", "critical_zero": true},'
        ' {"code": "tone", "max": 50, "choices": [50, 25, 0], "name_zh": "語氣親切",'
        ' "name_en": "Tone"}]'
    )
    rubric.write_bytes(items.encode("cp950"))
    code, out, err = run_courtesy(cli, "rubric", "add", "hotline", str(rubric))
    assert code == 0, err
    assert out.strip() == "hotline v1"
    assert "Big5" in err
    listed = run_courtesy(cli, "rubric", "list")[1]
    assert "hotline v1 (hotline / hotline): speed:50, tone:50" in listed
    db = Database(database_url)
    with db.transaction() as session:
        added = fetch_latest_rubric(session=session, template="hotline")
        assert added is not None
        assert [i["name_zh"] for i in added.items] == ["接聽速度", "語氣親切"]
    db.dispose()


def test_an_unwritable_report_folder_is_one_line_not_a_traceback(
    cli: CliRunner, tmp_path: Path
) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(directory_csv(), encoding="utf-8")
    run_courtesy(cli, "staff", "import", str(staff))
    run_courtesy(cli, "plan", "--year", "2026", "--seed", "5")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    out = blocker / "reports"
    code, _, err = run_courtesy(cli, "report", "--round", "2026-1", "--out", str(out))
    assert code == 2, err
    assert len(err.strip().splitlines()) == 1
    assert err.startswith(f"Cannot write into the folder {out}")


def test_a_call_cannot_be_recorded_before_its_time_unless_early_is_said_and_audited(
    cli: CliRunner, tmp_path: Path, database_url: str
) -> None:
    staff = tmp_path / "staff.csv"
    staff.write_text(directory_csv(), encoding="utf-8")
    run_courtesy(cli, "staff", "import", str(staff))
    year = utcnow().astimezone(ZoneInfo("Asia/Taipei")).year + 1
    run_courtesy(cli, "plan", "--year", str(year), "--seed", "5")
    db = Database(database_url)
    with db.transaction() as session:
        view = next(
            v for v in fetch_test_views(session=session, year=year) if v.template == "business"
        )
    items = ["speed=25", "unit_name=8", "greeting=6", "surname=6"]
    items += ["tone=20", "accuracy=15", "handling=10", "closing=10"]
    args = [f"--item={i}" for i in items]
    code, out, err = run_courtesy(cli, "record", view.code, *args)
    assert code == 2 and out == ""
    assert err.strip() == (
        f"Test {view.code} is scheduled for {view.day.isoformat()} {view.at.strftime('%H:%M')}; "
        "it can be scored only after the call is made (a system administrator may record it "
        "earlier with --early)."
    )
    results = tmp_path / "results.csv"
    columns = ",".join(i.split("=")[0] for i in items)
    points = ",".join(i.split("=")[1] for i in items)
    results.write_text(f"test_id,{columns}\n{view.code},{points}\n", "utf-8")
    code, _, err = run_courtesy(cli, "import", str(results))
    assert code == 2 and f"line 2: Test {view.code} is scheduled for" in err
    with db.transaction() as session:
        assert session.exec(select(CourtesyResult)).all() == []
    code, out, err = run_courtesy(cli, "record", view.code, *args, "--early")
    assert code == 0, err
    assert "100 points" in out
    with db.transaction() as session:
        early = session.exec(
            select(AuditEntry).where(AuditEntry.action == "courtesy.score.early")
        ).all()
    db.dispose()
    assert [(e.target, e.actor_telegram_id) for e in early] == [(view.code, None)]
