"""The case follow-ups' report (`bot/surveys/case_report.py`) by kind, unit and on time vs
late, with unit names rather than codes, written as its files."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlmodel import select

from bot.surveys.case_report import build_case_report
from bot.surveys.followups import answer_score, ask_due
from bot.surveys.report_files import write_report
from kernel.periods import HALVES_AND_YEARS, parse_period
from storage.db import Database
from storage.models import CaseFollowUp, Person
from tests.bot.surveys.cases import close
from tests.factories import TZ


def test_the_case_report_by_kind_unit_and_timeliness(db: Database, tmp_path: Path) -> None:
    closed_on = date(2027, 3, 9)
    close(db, 6201, "sec1", closed_on, late=False)
    close(db, 6202, "sec2", closed_on, late=True)
    close(db, 6203, "sec2", closed_on, late=False)
    asked = datetime.combine(date(2027, 3, 10), time(10), tzinfo=TZ)
    assert db.call(ask_due, now=asked, tz=TZ) == 3
    follow_ups = db.call(lambda session: list(session.exec(select(CaseFollowUp)).all()))  # type: ignore[misc]
    for follow_up, score in zip(follow_ups, (5, 1), strict=False):
        assert follow_up.id is not None and follow_up.person_id is not None
        db.call(
            answer_score,
            follow_up_id=follow_up.id,
            person_id=follow_up.person_id,
            score=score,
            language="zh-TW",
            now=asked + timedelta(hours=2),
        )
    report = db.call(
        build_case_report, period=parse_period("2027-H1", kinds=HALVES_AND_YEARS), language="zh-TW"
    )
    assert (report.invited, report.responded) == (3, 2)
    groups = dict(report.groups)
    assert [r.label for r in groups["by_unit"]] == ["第二課", "第一課"]  # lowest first, names
    sec2 = groups["by_unit"][0]
    assert (sec2.asked, sec2.figures.responses, sec2.rate_pct) == (2, 1, 50.0)
    assert [r.label for r in groups["by_time"]] == ["逾限辦結", "依限辦結"]
    assert [r.asked for r in groups["by_kind"]] == [3]
    assert report.title.startswith("案件處理滿意度，116 年上半年")
    files = write_report(report, tmp_path)
    html = files[0].read_text(encoding="utf-8")
    assert "第二課" in html and "sec2" not in html and "116/01/01" in html
    groups_csv = next(f for f in files if f.name.endswith("-groups.csv"))
    assert groups_csv.read_bytes().startswith(b"\xef\xbb\xbf")


def test_a_case_report_where_everyone_is_unhappy_or_happy_still_reports(
    db: Database, tmp_path: Path
) -> None:
    closed_on = date(2027, 3, 9)
    for chat in range(6301, 6304):
        close(db, chat, "sec1", closed_on, late=False)
    for chat in range(6311, 6321):
        close(db, chat, "sec2", closed_on, late=True)
    close(db, 6330, "sec3", closed_on, late=False)
    asked = datetime.combine(date(2027, 3, 10), time(10), tzinfo=TZ)
    assert db.call(ask_due, now=asked, tz=TZ) == 14
    follow_ups = db.call(lambda session: list(session.exec(select(CaseFollowUp)).all()))  # type: ignore[misc]
    for follow_up in follow_ups:
        assert follow_up.id is not None and follow_up.person_id is not None
        chat = db.call(
            lambda session, pid=follow_up.person_id: session.get(Person, pid).telegram_id  # type: ignore[misc]
        )
        db.call(
            answer_score,
            follow_up_id=follow_up.id,
            person_id=follow_up.person_id,
            score=1 if chat < 6311 else 5,
            language="en",
            now=asked + timedelta(hours=2),
        )
    report = db.call(
        build_case_report, period=parse_period("2027-H1", kinds=HALVES_AND_YEARS), language="en"
    )
    units = {r.label: r.figures for r in dict(report.groups)["by_unit"]}
    assert units and all(
        f.low is not None
        and f.high is not None
        and f.satisfied is not None
        and 0.0 <= f.low <= f.satisfied <= f.high <= 1.0
        for f in units.values()
    )
    assert sorted((f.satisfied, f.responses) for f in units.values()) == [
        (0.0, 3),
        (1.0, 1),
        (1.0, 10),
    ]
    files = write_report(report, tmp_path)
    assert files and all(f.stat().st_size > 0 for f in files)
