"""The panel's evidence: a unit's figures equal those of the courtesy and complaint reports for
the same period (read back from their CSV files); the notices' figures equal counts made from
the rows; satisfaction equals the survey figures per unit, and says so when nothing was
asked; a source added is a function."""

from __future__ import annotations

import csv
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.assessment.evidence import (
    SOURCES,
    Context,
    Evidence,
    Section,
    Source,
    build_evidence,
    figures,
    write_evidence,
)
from bot.cases import demo as case_demo
from bot.cases.actions import Action
from bot.cases.period_report import write_report as write_complaints
from bot.cases.periods import build_period_analysis
from bot.notices import demo as notice_demo
from bot.surveys.figures import satisfaction_for
from bot.surveys.followups import answer_score, ask_due
from courtesy import demo as courtesy_demo
from courtesy import report_files as courtesy_files
from courtesy.period_reports import build_period_report
from kernel.periods import Period
from kernel.tables import Kind
from storage.db import Database
from storage.models import CaseFollowUp, Category, Delivery, Notice, NoticeCategory, Role
from storage.queries.people import fetch_unit_by_code
from tests.factories import do, file_on, person

TODAY = date(2026, 11, 26)
TZ = ZoneInfo("Asia/Taipei")
H1 = Period(2026, half=1)


def seeded(db: Database) -> None:
    rng = random.Random(2026)
    db.call(courtesy_demo.seed_demo, rng=rng, year=2026)
    db.call(notice_demo.seed_demo, rng=rng, year=2026)
    db.call(case_demo.seed_demo, rng=rng, year=2026)


def english_evidence(db: Database, sources: list[Source]) -> Evidence:
    """The first half-year's evidence in English from `sources`."""
    return db.call(
        build_evidence,
        period=H1,
        language="en",
        today=TODAY,
        pass_mark=80,
        tz=TZ,
        sources=sources,
    )


def rows_of(path: Path) -> list[list[str]]:
    return list(csv.reader(path.read_text("utf-8-sig").splitlines()))[2:]


def test_a_units_evidence_equals_the_courtesy_and_complaint_reports(
    db: Database, tmp_path: Path
) -> None:
    seeded(db)
    evidence = db.call(
        build_evidence, period=H1, language="zh-TW", today=TODAY, pass_mark=80, tz=TZ
    )
    files = write_evidence(evidence, tmp_path / "evidence")
    assert [p.name for p in files] == ["evidence-2026-H1.html", "evidence-2026-H1.csv"]
    values: dict[tuple[str, str, str], str] = {
        (section.split("：")[0], unit, figure): value
        for section, unit, figure, value in rows_of(files[1])
        if unit
    }

    courtesy = db.call(
        build_period_report,
        period=Period(2026, half=1),
        language="zh-TW",
        pass_mark=80,
        today=TODAY,
    )
    courtesy_paths = courtesy_files.write_report(courtesy, tmp_path / "courtesy")
    units_csv = next(p for p in courtesy_paths if p.name == "courtesy-2026-H1-units.csv")
    analysis = db.call(
        build_period_analysis, period=Period(2026, half=1), today=TODAY, language="zh-TW"
    )
    complaint_files = write_complaints(analysis, tmp_path / "complaints", "zh-TW")
    by_unit_csv = next(p for p in complaint_files if p.name == "complaints-2026-H1-units.csv")

    compared = 0
    courtesy_rows = {r[0]: r for r in rows_of(units_csv)}
    complaint_rows = {r[0]: r for r in rows_of(by_unit_csv)}
    for unit in ("第二課", "第五課", "桃園辦事處"):
        c_row = courtesy_rows[unit]  # unit, calls, scored, average, grade, pass rate
        assert values[("基礎服務", unit, "受測通數")] == c_row[1]
        assert values[("基礎服務", unit, "已評分")] == c_row[2]
        assert values[("基礎服務", unit, "平均分數")] == c_row[3]
        assert values[("基礎服務", unit, "及格率（%）")] == c_row[5]
        k_row = complaint_rows[unit]  # unit, received, handled, on time, %, median, overdue, open
        assert values[("服務評價", unit, "承辦收件")] == k_row[1]
        assert values[("服務評價", unit, "辦結")] == k_row[2]
        assert values[("服務評價", unit, "依限辦結率（%）")] == k_row[4]
        assert values[("服務評價", unit, "辦結日數中位數")] == k_row[5]
        assert values[("服務評價", unit, "期末逾期")] == k_row[6]
        compared += int(c_row[1]) + int(k_row[1])
    assert compared > 20  # the units compared have calls and cases to compare
    assert courtesy.period is not None
    opened = sum(int(v) for (d, _, f), v in values.items() if f == "開立矯正及預防措施")
    assert opened == len(courtesy.period.opened)

    # Notices: counted again from the rows.
    start = datetime.combine(H1.first, time(0), tzinfo=TZ)
    end = datetime.combine(date(2026, 7, 1), time(0), tzinfo=TZ)

    def count(session):  # type: ignore[no-untyped-def]
        found: dict[str, tuple[int, set[int]]] = {}
        for notice in session.exec(select(Notice)).all():
            if notice.released_at is None or not start <= notice.released_at < end:
                continue
            links = session.exec(
                select(NoticeCategory).where(NoticeCategory.notice_id == notice.id)
            ).all()
            chats = {
                d.chat_id
                for d in session.exec(select(Delivery).where(Delivery.notice_id == notice.id))
                if d.status == "sent"
            }
            for link in links:
                name = session.get(Category, link.category_id).name_zh
                n, reached = found.get(name, (0, set()))
                found[name] = (n + 1, reached | chats)
        return {k: [n, len(r)] for k, (n, r) in found.items()}

    expected = db.call(count)
    delivery = next(s for s in evidence.sections if s.aspect == "convenience")
    assert expected and dict(delivery.rows) == expected

    # Satisfaction: no case question was asked in this seeded half-year, and the page says so.
    page = files[0].read_text("utf-8")
    assert "服務滿意情形：尚無滿意度調查資料" in page
    satisfaction = next(s for s in evidence.sections if s.aspect == "satisfaction")
    assert satisfaction.note == "服務滿意情形：尚無滿意度調查資料"
    assert evidence.missing == []


def test_the_satisfaction_evidence_equals_the_survey_figures_of_each_unit(db: Database) -> None:
    closed_on = date(2026, 5, 12)
    secretary = person(db, 6001, Role.SECRETARIAT)
    for reporter_id, unit, days in ((6101, "sec1", 7), (6102, "sec2", 60), (6103, "sec2", 7)):
        filed = file_on(
            db, closed_on - timedelta(days=days), reporter=person(db, reporter_id), reply_days=30
        )
        do(db, filed.number, Action.ASSIGN, secretary, closed_on - timedelta(days=5), unit=unit)
        do(db, filed.number, Action.REPLY, secretary, closed_on, text="已處理。")
        do(db, filed.number, Action.CLOSE, secretary, closed_on)
    asked_at = datetime.combine(date(2026, 5, 13), time(10, 1), tzinfo=TZ)
    assert db.call(ask_due, now=asked_at, tz=TZ) == 3

    def follow_ups(session):  # type: ignore[no-untyped-def]
        return {f.person_id: f.id for f in session.exec(select(CaseFollowUp)).all()}

    ids = db.call(follow_ups)
    for telegram_id, score in ((6101, 5), (6102, 2), (6103, 4)):
        someone = person(db, telegram_id)
        db.call(
            answer_score,
            follow_up_id=ids[someone.id],
            person_id=someone.id,
            score=score,
            language="zh-TW",
            now=asked_at + timedelta(hours=1),
        )
    evidence = db.call(
        build_evidence, period=H1, language="zh-TW", today=TODAY, pass_mark=80, tz=TZ
    )
    satisfaction = next(s for s in evidence.sections if s.aspect == "satisfaction")
    assert satisfaction.note is None
    for code in ("sec1", "sec2"):
        unit = db.call(fetch_unit_by_code, code=code)
        assert unit is not None
        found = db.call(satisfaction_for, start=H1.first, end=H1.last, unit_id=unit.id, tz=TZ)
        asked, responses, mean, share, interval = satisfaction.per_unit[code]
        assert (asked, responses) == (found.asked, found.responses)
        assert found.mean is not None and found.satisfied is not None
        assert mean == found.mean and share == found.satisfied
        assert interval is not None and interval == (found.low, found.high)
    # Counted independently: sec2 had two answers, 2 and 4.
    assert satisfaction.per_unit["sec2"][:4] == [2, 2, 3.0, 0.5]
    assert satisfaction.per_unit["sec1"][:4] == [1, 1, 5.0, 1.0]


def test_the_satisfaction_evidence_writes_its_interval_as_two_numbers(
    db: Database, tmp_path: Path
) -> None:
    def surveys(context: Context) -> Section:
        section = next(s for s in SOURCES if s.__name__ == "satisfaction_source")(context)
        section.per_unit = {u.code: [0, 0, None, None, None] for u in context.units}
        section.per_unit["sec2"] = [2, 2, 3.0, 0.5, (0.094, 0.906)]
        return section

    evidence = english_evidence(db, [surveys])
    files = write_evidence(evidence, tmp_path)
    second = [r[2:] for r in rows_of(files[1]) if r[1] == "Second Section"]
    assert second == [
        ["Asked", "2"],
        ["Answered", "2"],
        ["Mean satisfaction (1–5)", "3.00"],
        ["Satisfied (%)", "50.0"],
        ["Satisfied, 95% interval from (%)", "9.4"],
        ["Satisfied, 95% interval to (%)", "90.6"],
    ]
    page = files[0].read_text("utf-8")
    assert (
        '<th scope="row" class="name">Second Section (<span lang="zh-TW">第二課</span>)</th>'
        '<td class="n">2</td><td class="n">2</td><td class="n">3.00</td><td class="n">50.0</td>'
        '<td class="n">9.4–90.6</td></tr>'
    ) in page


def test_a_satisfaction_source_is_one_function_added_to_the_list(db: Database) -> None:
    def surveys(context: Context) -> Section:
        section = Section("evaluation", "satisfaction", figures(("col_survey_mean", Kind.MEAN)))
        section.per_unit = {u.code: [4.2] for u in context.units}
        return section

    evidence = english_evidence(db, [*SOURCES, surveys])
    assert evidence.missing == []
    assert evidence.sections[-1].per_unit["sec1"] == [4.2]
    # Without courtesy rounds the courtesy section says why instead of failing.
    friendly = next(s for s in evidence.sections if s.aspect == "friendly")
    assert friendly.note is not None and "2026" in friendly.note
