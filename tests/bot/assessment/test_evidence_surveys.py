"""服務評價 from the periodic survey and its findings: each survey sent in the period is a row
of the branch whose figures equal the survey report's own CSV (read back from the files), and
the improvement actions opened and closed in the period per unit equal the improvements list,
counted here from it."""

from __future__ import annotations

import csv
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.assessment.evidence import SOURCES, build_evidence, write_evidence
from bot.assessment.evidence_surveys import improvements_source, periodic_survey_source
from bot.surveys import improvements as improving
from bot.surveys.report_files import write_report
from bot.surveys.survey_report import build_survey_report
from kernel.periods import Period
from storage.db import Database
from storage.models.surveys import ImprovementState
from tests.bot.surveys.scored import SHARES, scored_survey

TZ = ZoneInfo("Asia/Taipei")
H1 = Period(2027, half=1)
TODAY = date(2027, 7, 10)
IN_H1 = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)


def rows_of(path: Path, skip: int) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[skip:]


def test_the_periodic_survey_and_its_improvements_equal_their_own_reports(
    db: Database, tmp_path: Path
) -> None:
    before = scored_survey(
        db, "2026 H2", SHARES, sent=datetime(2026, 9, 1, 2, 0, tzinfo=UTC), first_chat=60_000
    )
    survey_id = scored_survey(db, "2027 H1", SHARES, sent=IN_H1, invited=60)

    def open_for(question: str, unit: str, survey: int) -> int:
        action = db.call(
            improving.open_improvement,
            survey_id=survey,
            question=question,
            unit_code=unit,
            plan="計畫",
            due_on=date(2027, 4, 21),
            threshold=80,
            today=date(2027, 3, 15),
            actor="test",
            by=None,
            now=datetime(2027, 3, 15, 2, 0, tzinfo=UTC),
        )
        assert action.id is not None
        return action.id

    closed = open_for("measures", "sec1", survey_id)
    open_for("professionalism", "sec2", survey_id)
    open_for("measures", "sec2", before)
    db.call(
        improving.move_improvement,
        improvement_id=closed,
        to=ImprovementState.CLOSED,
        text="已驗證",
        actor="test",
        by=None,
        now=datetime(2027, 4, 20, 2, 0, tzinfo=UTC),
    )

    evidence = db.call(
        build_evidence,
        period=H1,
        language="zh-TW",
        today=TODAY,
        pass_mark=80,
        tz=TZ,
        sources=[periodic_survey_source, improvements_source],
    )
    files = write_evidence(evidence, tmp_path / "evidence")
    lines = rows_of(files[1], 2)
    periodic = [r[1:] for r in lines if r[0] == "服務評價：服務滿意度調查（定期）" and r[1]]

    report = db.call(build_survey_report, survey_id=survey_id, language="zh-TW")
    written = write_report(report, tmp_path / "survey")
    trend = rows_of(next(p for p in written if p.name.endswith("-trend.csv")), 1)
    header, *rows = trend
    now = dict(zip(header, rows[-1], strict=True))
    page = next(p for p in written if p.suffix == ".html").read_text("utf-8")
    rate = f"{round(100 * 50 / 60, 1):.1f}"
    assert f"{rate}%" in page  # the report's own 回收率
    subject = f"#{survey_id} 2027 H1"
    assert periodic == [
        [subject, "邀請數", now["邀請數"]],
        [subject, "回收數", now["回收數"]],
        [subject, "回收率（%）", rate],
        [subject, "整體滿意比例（%）", now["滿意比例（%）"]],
    ]
    assert now["邀請數"] == "60" and now["滿意比例（%）"] == "88.0"

    listed = db.call(improving.list_improvements, language="zh-TW")
    start, end = datetime(2027, 1, 1, tzinfo=TZ), datetime(2027, 7, 11, tzinfo=TZ)
    opened = Counter(
        x.view.unit_code for x in listed if start <= x.view.improvement.created_at < end
    )
    done = Counter(
        x.view.unit_code
        for x in listed
        if x.view.improvement.state == "closed"
        and start <= (x.view.improvement.closed_at or end) < end
    )
    section = next(s for s in evidence.sections if s.aspect == "improvements")
    for unit in ("sec1", "sec2", "sec3"):
        assert section.per_unit[unit] == [opened.get(unit, 0), done.get(unit, 0)]
    assert section.per_unit["sec1"] == [1, 1] and section.per_unit["sec2"] == [2, 0]
    by_unit = [
        r[1:] for r in lines if r[0] == "服務評價：滿意度調查檢討改善情形" and r[1] == "第一課"
    ]
    assert by_unit == [["第一課", "改善措施立案數", "1"], ["第一課", "改善措施結案數", "1"]]


def test_the_sources_are_listed_and_say_when_no_survey_was_sent(db: Database) -> None:
    assert {periodic_survey_source, improvements_source} <= set(SOURCES)
    evidence = db.call(
        build_evidence,
        period=H1,
        language="en",
        today=TODAY,
        pass_mark=80,
        tz=TZ,
        sources=[periodic_survey_source],
    )
    (section,) = evidence.sections
    assert section.rows == [] and section.note is not None and "No periodic survey" in section.note
