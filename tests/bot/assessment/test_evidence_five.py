"""The five-dimension proof: one half-year with data for every source (courtesy calls, training,
facility duties done, notices, visits with needs, cases with replies, the question after a
closed case, a periodic survey with an improvement action), its evidence written in Chinese
and English; the CSV and the page name all five dimensions of 附表1, every unit of the
directory has figures under each, and one figure per dimension equals the feature's own list
or report, counted here."""

from __future__ import annotations

import csv
import random
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from pathlib import Path

from sqlmodel import Session, col, select

from bot.assessment.evidence import build_evidence, write_evidence
from bot.assessment.scoring import DIMENSIONS
from bot.cases import demo as case_demo
from bot.cases.actions import Action
from bot.cases.period_report import write_report as write_complaints
from bot.cases.periods import build_period_analysis
from bot.duties.records import bring_in, complete
from bot.duties.training import add_training, list_training
from bot.notices import demo as notice_demo
from bot.surveys import improvements as improving
from bot.surveys.followups import answer_score, ask_due
from bot.visits.listing import NeedState, build_visit_list
from bot.visits.recording import VisitDraft, answer_need, record_visit
from courtesy import demo as courtesy_demo
from kernel.periods import Period
from kernel.reporting import plain
from storage.db import Database
from storage.models import CaseFollowUp, DutyOccurrence, Role
from storage.models.surveys import ImprovementState
from storage.queries.people import fetch_units
from tests.bot.assessment import test_evidence_replies as replies
from tests.bot.duties.shared import lift_check
from tests.bot.surveys.scored import SHARES, scored_survey
from tests.factories import TZ, do, file_on, person

H1 = Period(2026, half=1)
TODAY = date(2026, 11, 26)
NAMES = {"zh-TW": ["基礎服務", "服務遞送", "服務量能", "服務評價", "開放創新"]}


def training_and_duties(session: Session) -> None:
    for day, unit, hours in ((date(2026, 2, 24), "sec1", 2.0), (date(2026, 5, 6), "sec4", 3.0)):
        add_training(
            session,
            held_on=day,
            unit=unit,
            title="CNS 新制說明",
            hours=hours,
            attendees=30,
            audience="staff",
            today=TODAY,
            by="test",
        )
    lift_check(session, unit="sec2", starts_on=date(2026, 1, 1))
    bring_in(session, first=date(2026, 1, 1), last=date(2026, 6, 30))
    occurrence = session.exec(select(DutyOccurrence).order_by(col(DutyOccurrence.due_on))).first()
    assert occurrence is not None and occurrence.id is not None
    complete(
        session,
        occurrence_id=occurrence.id,
        on=occurrence.due_on,
        note="ok",
        files=[],
        today=TODAY,
        by="test",
    )


def visits(db: Database) -> None:
    for on, unit, tax_id, needs, answered in (
        ("115/02/10", "sec1", "04595257", ["說明新列檢商品", "確認報驗文件"], "2026-03-02"),
        ("115/04/15", "sec3", "22099131", ["驗證登錄流程"], None),
        ("115/05/20", "sec1", "04595257", ["能力試驗時程"], "2026-05-25"),
    ):
        recorded = db.call(
            record_visit,
            draft=VisitDraft(on=on, unit=unit, tax_id=tax_id, firm="新竹電子", needs=needs),
            today=TODAY,
            answer_days=30,
            by="cli:tester",
            actor_telegram_id=None,
        )
        if answered:
            need_id = recorded.needs[0].id
            db.call(
                answer_need,
                need_id=need_id,
                text="已說明。",
                on=answered,
                today=TODAY,
                by="cli:tester",
                actor_telegram_id=None,
            )


def case_questions(db: Database) -> None:
    """Two cases closed in May, their reporters asked and answering."""
    secretary = person(db, 6001, Role.SECRETARIAT)
    closed_on = date(2026, 5, 12)
    for reporter_id, unit in ((6101, "sec5"), (6102, "taoyuan")):
        filed = file_on(db, date(2026, 5, 1), reporter=person(db, reporter_id))
        do(db, filed.number, Action.ASSIGN, secretary, date(2026, 5, 4), unit=unit)
        do(db, filed.number, Action.REPLY, secretary, closed_on, text="已處理。")
        do(db, filed.number, Action.CLOSE, secretary, closed_on)
    asked_at = datetime.combine(date(2026, 5, 13), time(10, 1), tzinfo=TZ)
    assert db.call(ask_due, now=asked_at, tz=TZ) == 2
    asked = db.call(
        lambda session: {f.person_id: f.id for f in session.exec(select(CaseFollowUp)).all()}
    )
    for telegram_id, score in ((6101, 5), (6102, 3)):
        someone = person(db, telegram_id)
        db.call(
            answer_score,
            follow_up_id=asked[someone.id],
            person_id=someone.id,
            score=score,
            language="zh-TW",
            now=asked_at + timedelta(hours=1),
        )


def survey_with_improvement(db: Database) -> None:
    survey_id = scored_survey(db, "2026 上半年", SHARES, sent=datetime(2026, 3, 1, 2, tzinfo=UTC))
    action = db.call(
        improving.open_improvement,
        survey_id=survey_id,
        question="measures",
        unit_code="sec3",
        plan="簡化報驗流程說明",
        due_on=date(2026, 4, 21),
        threshold=80,
        today=date(2026, 3, 15),
        actor="test",
        by=None,
        now=datetime(2026, 3, 15, 2, tzinfo=UTC),
    )
    assert action.id is not None
    db.call(
        improving.move_improvement,
        improvement_id=action.id,
        to=ImprovementState.CLOSED,
        text="已驗證改善後說明文件上線",
        actor="test",
        by=None,
        now=datetime(2026, 4, 20, 2, tzinfo=UTC),
    )


def seeded(db: Database) -> None:
    rng = random.Random(2026)
    db.call(courtesy_demo.seed_demo, rng=rng, year=2026)
    db.call(notice_demo.seed_demo, rng=rng, year=2026)
    db.call(case_demo.seed_demo, rng=rng, year=2026)
    db.call(training_and_duties)
    visits(db)
    replies.seeded(db)
    case_questions(db)
    survey_with_improvement(db)


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[3:]


def test_every_unit_has_figures_under_all_five_dimensions_equal_to_their_own_reports(
    db: Database, tmp_path: Path
) -> None:
    seeded(db)
    units = db.call(fetch_units)
    values: dict[tuple[str, str, str], str] = {}
    for language in ("zh-TW", "en"):
        dimensions = [plain(language, f"assessment.dimension.{d.key}") for d in DIMENSIONS]
        assert dimensions == NAMES.get(language, dimensions) and len(set(dimensions)) == 5
        evidence = db.call(
            build_evidence, period=H1, language=language, today=TODAY, pass_mark=80, tz=TZ
        )
        page, table = write_evidence(evidence, tmp_path / language)
        html = page.read_text("utf-8")
        rows = rows_of(table)
        for dimension in dimensions:
            assert f"<h2>{escape(dimension)}" in html
            assert any(r[0].startswith(dimension) for r in rows)
            for unit in units:
                name = unit.name_in(language)
                figures = [
                    r for r in rows if r[0].startswith(dimension) and r[1] == name and r[3] != ""
                ]
                assert figures, (language, dimension, name)
        if language == "zh-TW":
            values = {(r[0].split("：")[0], r[1], r[2]): r[3] for r in rows if r[1]}

    # 基礎服務: the training list of the year, counted for sec4 in the half-year.
    listed = db.call(list_training, year=2026)
    held = [s for s, u in listed if u.code == "sec4" and H1.first <= s.held_on <= H1.last]
    assert values[("基礎服務", "第四課", "訓練場次")] == str(len(held)) == "1"

    # 服務遞送: the replies of sec1, counted case by case.
    counted = db.call(lambda session: replies.counted(session, H1.first, H1.last))
    assert values[("服務遞送", "第一課", "以 Telegram 送達")] == str(counted["sec1"][1]) != "0"
    assert values[("服務遞送", "第一課", "最終回覆案件數")] == str(counted["sec1"][0])
    assert (
        values[("服務遞送", "第一課", "送達陳情人比率（%）")] == f"{100 * counted['sec1'][5]:.1f}"
    )

    # 服務量能: the visit list's lines of sec1.
    listing = db.call(build_visit_list, period=H1, today=TODAY)
    sec1 = next(u for u in units if u.code == "sec1")
    lines = [v for v in listing.visits if v.visit.unit_id == sec1.id]
    assert values[("服務量能", "第一課", "訪視次數")] == str(len(lines)) == "2"

    # 服務評價: the complaint period analysis's own CSV, row of 第二課.
    analysis = db.call(build_period_analysis, period=H1, today=TODAY, language="zh-TW")
    written = write_complaints(analysis, tmp_path / "complaints", "zh-TW")
    by_unit = next(p for p in written if p.name == "complaints-2026-H1-units.csv")
    with by_unit.open(encoding="utf-8-sig", newline="") as handle:
        second = next(r for r in list(csv.reader(handle))[2:] if r[0] == "第二課")
    assert values[("服務評價", "第二課", "承辦收件")] == second[1] != "0"
    assert values[("服務評價", "第三課", "改善措施結案數")] == "1"

    # 開放創新: needs of sec1 answered on time, from the visit list's needs.
    needs = [n for v in lines for n in v.needs] + [n for n in listing.lone if n.unit_id == sec1.id]
    on_time = [n for n in needs if listing.state(n) is NeedState.ON_TIME]
    assert values[("開放創新", "第一課", "依限回覆")] == str(len(on_time)) == "2"
    assert values[("開放創新", "第一課", "蒐集需求項數")] == str(len(needs)) == "3"
