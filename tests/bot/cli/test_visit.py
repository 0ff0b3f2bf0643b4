"""`bsmi-desk visit add | need | answer | list`: a visit with two needs, one answered on time and
one late, a need by phone; the list's states and figures; bad input in one sentence, exit 2;
and the panel's evidence equal to what the list prints, counted from its lines."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from zoneinfo import ZoneInfo

from typer.testing import CliRunner

from bot.assessment.evidence import SOURCES, build_evidence, notices_source
from bot.assessment.evidence_outreach import needs_source, reach_source, visits_source
from kernel import workcalendar
from kernel.periods import Period
from storage.db import Database
from tests.bot.cli.console import invoke, one_line

H1 = Period(2026, half=1)
TODAY = date(2026, 11, 26)


def record_half_year(cli: CliRunner) -> None:
    """Two visits by the First Section (one firm twice), one by the Second with two needs (one
    answered on time, one late), a need by phone to the Second, open and overdue."""
    code, out, err = invoke(
        cli, "visit", "add", "--on", "2026-03-02", "--unit", "sec2", "--tax-id", "#04595257",
        "--firm", "新竹電子", "--kind", "factory",
        "--need", "說明新列檢商品的檢驗方式", "--need", "協助確認報驗文件",
    )  # fmt: skip
    assert code == 0, err
    assert "Visit #1 recorded: Second Section, tax ID 04595257, 2 need(s)." in out
    due = workcalendar.add_working_days(date(2026, 3, 2), 30)
    assert f"Need #1, to be answered by {due.isoformat()}." in out
    late = workcalendar.add_working_days(due, 2).isoformat()
    _, out, _ = invoke(cli, "visit", "answer", "1", "--text", "已說明", "--on", "2026-03-10")
    assert out.strip() == "Need #1: answered on time."
    _, out, _ = invoke(cli, "visit", "answer", "2", "--text", "已確認", "--on", late)
    assert out.strip() == "Need #2: answered late."
    for day in ("2026-04-01", "2026-05-04"):
        code, _, err = invoke(
            cli, "visit", "add", "--on", day, "--unit", "第一課", "--tax-id", "27505051"
        )
        assert code == 0, err
    code, out, err = invoke(
        cli, "visit", "need", "--tax-id", "04595257", "--channel", "phone",
        "--text", "詢問輸入報驗流程", "--unit", "sec2", "--on", "2026-05-05",
    )  # fmt: skip
    assert code == 0 and "Need #3" in out, err


def test_visits_and_needs_are_listed_with_their_states_and_figures(cli: CliRunner) -> None:
    record_half_year(cli)
    code, out, _ = invoke(cli, "visit", "list", "--period", "2026-H1")
    assert code == 0
    assert "Visit #1  2026-03-02  Second Section  factory visit (赴廠訪視)  tax ID 04595257" in out
    assert re.search(r"Need #1 \(visit\) due \S+  answered on time  answered 2026-03-10", out)
    assert re.search(r"Need #2 \(visit\) due \S+  answered late", out)
    assert re.search(r"Need #3 \(phone\) due \S+  open and overdue  answered —", out)
    assert (
        "Second Section: 1 visit(s), 1 firm(s); 3 need(s), 2 answered (1 on time, 1 late), "
        "1 open (1 of them overdue)" in out
    )
    assert "First Section: 2 visit(s), 1 firm(s); 0 need(s)" in out
    assert "Third Section: 0 visit(s), 0 firm(s); 0 need(s)" in out


def test_bad_input_is_one_sentence_and_exit_2(cli: CliRunner) -> None:
    code, _, err = invoke(
        cli, "visit", "add", "--on", "2026-03-02", "--unit", "sec1", "--tax-id", "04595258"
    )
    assert "check" in one_line(code, err).lower()
    code, _, err = invoke(cli, "visit", "answer", "99", "--text", "x")
    assert one_line(code, err) == "There is no need #99, or it is not your unit's."
    code, _, err = invoke(cli, "visit", "list", "--period", "2026-Q1")
    assert "is not a period" in one_line(code, err)
    code, _, err = invoke(
        cli, "visit", "need", "--tax-id", "04595257", "--channel", "fax", "--text", "x",
        "--unit", "sec1",
    )  # fmt: skip
    assert "is not a channel" in one_line(code, err)


def _listed(out: str) -> dict[str, Counter[str]]:
    """Per unit, counted from the list's own lines: visits, firms, needs by state."""
    found: dict[str, Counter[str]] = {}
    firms: dict[str, set[str]] = {}
    unit_of_need: dict[str, str] = {}
    current = None
    for line in out.splitlines():
        if m := re.match(r"Visit #\d+  \S+  (.+?)  .+?  tax ID (\d{8})", line):
            current = m.group(1)
            found.setdefault(current, Counter())["visits"] += 1
            firms.setdefault(current, set()).add(m.group(2))
        elif m := re.match(r"  Need #(\d+) \((\w+)\) due \S+  (.+?)  answered", line):
            unit_of_need[m.group(1)] = current or "lone"
            found.setdefault(current or "lone", Counter())[m.group(3)] += 1
        elif line.startswith("Needs raised without a visit"):
            current = None
    for unit, seen in firms.items():
        found[unit]["firms"] = len(seen)
    return found


def test_the_evidence_equals_the_lists_own_counts(cli: CliRunner, database_url: str) -> None:
    record_half_year(cli)
    _, out, _ = invoke(cli, "visit", "list", "--period", "2026-H1")
    listed = _listed(out)
    assert listed["Second Section"]["visits"] == 1 and listed["lone"]["open and overdue"] == 1
    db = Database(database_url)
    try:
        evidence = db.call(
            build_evidence,
            period=H1,
            language="en",
            today=TODAY,
            pass_mark=80,
            tz=ZoneInfo("Asia/Taipei"),
        )
    finally:
        db.dispose()
    assert {visits_source, needs_source, reach_source} <= set(SOURCES)
    visits = next(s for s in evidence.sections if s.aspect == "visits")
    needs = next(s for s in evidence.sections if s.aspect == "needs")
    assert (visits.dimension, needs.dimension) == ("capacity", "innovation")
    names = {code: name for code, name, _ in evidence.units}
    lone_units = {"Second Section"}  # the need by phone was the Second Section's
    for code, name in names.items():
        seen = listed.get(name, Counter())
        lone = listed["lone"] if name in lone_units else Counter()
        states = seen + lone
        collected = sum(
            states[s] for s in ("answered on time", "answered late", "open", "open and overdue")
        )
        assert visits.per_unit[code] == [seen["visits"], seen["firms"], collected], code
        on_time, late = states["answered on time"], states["answered late"]
        still = states["open"] + states["open and overdue"]
        known = on_time + late + states["open and overdue"]
        assert needs.per_unit[code] == [
            collected,
            on_time + late,
            on_time,
            late,
            still,
            on_time / known if known else None,
        ], code
    assert visits.per_unit["sec3"] == [0, 0, 0]  # a unit without visits shows zeros
    assert needs.per_unit["sec2"][5] == 1 / 3
    reach = next(s for s in evidence.sections if s.aspect == "reach")
    delivery = next(s for s in evidence.sections if s.aspect == "convenience")
    assert reach.dimension == "innovation" and len(reach.rows) == 1
    assert reach.rows[0][1] == [
        sum(int(v[0] or 0) for _, v in delivery.rows),  # type: ignore[arg-type]
        sum(int(v[1] or 0) for _, v in delivery.rows),  # type: ignore[arg-type]
    ]
    assert notices_source in SOURCES
