"""Survey findings and the improvement actions answering them (`bot/surveys/findings.py`,
`improvements.py`, `survey improve|improvements|improvement`): an item at 62% satisfied is a
finding, opens an action, and the action closes only with a written verification; the report
lists it, and the next survey of the template shows how it ended."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from bot.cli.app import app
from bot.surveys import improvements as improving
from bot.surveys.findings import Finding, findings_of, item_figures
from bot.surveys.report_files import write_report
from bot.surveys.survey_report import build_survey_report
from kernel import workcalendar
from kernel.clock import today
from kernel.errors import UserError
from storage.db import Database
from storage.models import AuditEntry
from storage.models.surveys import ImprovementState, SurveyImprovement, SurveyImprovementEvent
from tests.bot.surveys.scored import SHARES, scored_survey

SENT = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
TODAY = date(2027, 3, 15)
DUE = date(2027, 4, 21)  # a Wednesday, a working day
NOW = datetime(2027, 3, 15, 3, 0, tzinfo=UTC)


def run(cli: CliRunner, *args: str) -> tuple[int, str, str]:
    result = cli.invoke(app, ["survey", *args])
    return result.exit_code, result.stdout, result.stderr


def open_for(db: Database, survey_id: int, question: str, **given: object) -> SurveyImprovement:
    values: dict[str, object] = {
        "survey_id": survey_id,
        "question": question,
        "unit_code": "sec1",
        "plan": "增設線上預約與叫號看板",
        "due_on": DUE,
        "threshold": 80,
        "today": TODAY,
        "actor": "test",
        "by": None,
        "now": NOW,
    }
    values.update(given)
    return db.call(improving.open_improvement, **values)  # type: ignore[arg-type]


def test_the_lowest_item_and_those_under_the_threshold_are_findings(db: Database) -> None:
    survey_id = scored_survey(db, "2027 H1", SHARES, sent=SENT)
    items = db.call(item_figures, survey_id=survey_id)
    shares = {i.question.code: i.figures.satisfied_pct for i in items}
    assert shares["measures"] == 62.0 and shares["professionalism"] == 78.0
    found = {
        i.question.code: why
        for i in items
        for qid, why in findings_of(items, 80).items()
        if qid == i.question_id
    }
    assert found == {
        "measures": (Finding.LOWEST, Finding.BELOW),
        "professionalism": (Finding.BELOW,),
    }
    lower = {
        i.question.code for i in items if i.question_id in findings_of(items, 78)
    }  # 78% is not under 78%
    assert lower == {"measures"}


def test_an_item_at_62_percent_opens_an_action_that_closes_only_with_a_verification(
    db: Database,
) -> None:
    survey_id = scored_survey(db, "2027 H1", SHARES, sent=SENT)
    with pytest.raises(UserError) as refused:
        open_for(db, survey_id, "environment")
    assert refused.value.key == "improvements.errors.not_finding"
    assert refused.value.values["share"] == "90.0"
    action = open_for(db, survey_id, "measures")
    assert action.state == ImprovementState.OPEN.value and action.id is not None
    with pytest.raises(UserError) as twice:
        open_for(db, survey_id, "4")  # the same item by its number
    assert twice.value.key == "improvements.errors.already_open"
    for blank in (None, "   "):
        with pytest.raises(UserError) as unverified:
            db.call(
                improving.move_improvement,
                improvement_id=action.id,
                to=ImprovementState.CLOSED,
                text=blank,
                actor="test",
                by=None,
                now=NOW,
            )
        assert unverified.value.key == "improvements.errors.needs_verification"
    with pytest.raises(UserError) as elsewhere:  # another unit's person, from chat
        db.call(
            improving.move_improvement,
            improvement_id=action.id,
            to=ImprovementState.CLOSED,
            text="ok",
            actor="telegram:5",
            by=5,
            now=NOW,
            units={action.unit_id + 1},
        )
    assert elsewhere.value.key == "improvements.errors.unknown"
    closed = db.call(
        improving.move_improvement,
        improvement_id=action.id,
        to=ImprovementState.CLOSED,
        text="4 月抽查 30 位洽公民眾，線上預約已上線",
        actor="test",
        by=None,
        now=NOW,
    )
    assert closed.state == "closed" and closed.verification.startswith("4 月抽查")
    history = db.call(
        lambda session: [
            (e.from_state, e.to_state)
            for e in session.exec(
                select(SurveyImprovementEvent).order_by(SurveyImprovementEvent.id)  # type: ignore[arg-type]
            )
        ]
    )
    assert history == [(None, "open"), ("open", "closed")]
    audited = db.call(
        lambda session: [
            a.action
            for a in session.exec(select(AuditEntry).order_by(AuditEntry.id))  # type: ignore[arg-type]
            if a.action.startswith("survey.improve")  # creating and sending are audited too
        ]
    )
    assert audited == ["survey.improve", "survey.improvement.closed"]
    with pytest.raises(UserError) as again:
        db.call(
            improving.move_improvement,
            improvement_id=action.id,
            to=ImprovementState.CLOSED,
            text="again",
            actor="test",
            by=None,
            now=NOW,
        )
    assert again.value.key == "improvements.errors.cannot_move"


def test_the_due_date_is_a_working_day_not_past(db: Database) -> None:
    survey_id = scored_survey(db, "2027 H1", SHARES, sent=SENT)
    saturday = date(2027, 4, 24)
    assert not workcalendar.is_working_day(saturday)
    with pytest.raises(UserError) as weekend:
        open_for(db, survey_id, "measures", due_on=saturday)
    assert weekend.value.key == "improvements.errors.not_working_day"
    assert weekend.value.values["before"] == "2027-04-23"
    with pytest.raises(UserError) as past:
        open_for(db, survey_id, "measures", due_on=date(2027, 3, 12))
    assert past.value.key == "improvements.errors.past_due"


def test_the_report_marks_lists_and_follows_up_the_findings(db: Database, tmp_path: Path) -> None:
    first = scored_survey(db, "2027 H1", SHARES, sent=SENT)
    action = open_for(db, first, "measures")
    assert action.id is not None
    db.call(
        improving.move_improvement,
        improvement_id=action.id,
        to=ImprovementState.CLOSED,
        text="線上預約已上線",
        actor="test",
        by=None,
        now=NOW,
    )
    report = db.call(build_survey_report, survey_id=first, language="zh-TW")
    marked = {r.label: r.finding for r in report.items}
    assert marked["服務措施"] == "最低項目、滿意比例低於 80%"
    assert marked["服務專業性"] == "滿意比例低於 80%"
    assert marked["洽公環境"] is None
    assert [(f.item, f.action, f.state) for f in report.findings] == [
        ("服務措施", action.id, "已結案"),
        ("服務專業性", None, "尚未提出改善措施"),
    ]
    files = write_report(report, tmp_path / "first")
    page = next(p for p in files if p.suffix == ".html").read_text(encoding="utf-8")
    assert "最低項目、滿意比例低於 80%" in page and "線上預約已上線" in page
    items_csv = rows_of(tmp_path / "first" / f"survey-{first}-items.csv")
    assert items_csv[0][-1] == "待改善項目"
    assert {r[0]: r[-1] for r in items_csv[1:]}["服務措施"] == "最低項目、滿意比例低於 80%"
    findings_csv = rows_of(tmp_path / "first" / f"survey-{first}-findings.csv")
    why = "最低項目、滿意比例低於 80%"
    assert findings_csv[1][:4] == ["服務措施", "62.0", why, str(action.id)]
    assert findings_csv[1][-2:] == ["已結案", "線上預約已上線"]

    better = dict(SHARES, measures=[4] * 40 + [2] * 10)  # 80% now
    second = scored_survey(
        db, "2027 H2", better, sent=datetime(2027, 9, 1, 2, 0, tzinfo=UTC), first_chat=80_000
    )
    followed = db.call(build_survey_report, survey_id=second, language="en", western=True)
    assert [(f.item, f.actions, f.before, f.now, f.change) for f in followed.followed] == [
        ("Professionalism", "No improvement action yet", 0.78, 0.78, 0.0),
        ("Service measures", f"no. {action.id}: Closed", 0.62, 0.8, 18.0),
    ]
    written = write_report(followed, tmp_path / "second")
    assert any(p.name.endswith("-followed.csv") for p in written)


def rows_of(path: Path) -> list[list[str]]:
    """A report CSV's rows after its first line (the caption)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))[1:]


def test_the_command_line_opens_lists_and_closes_an_action(cli: CliRunner, db: Database) -> None:
    survey_id = str(scored_survey(db, "2027 H1", SHARES, sent=SENT))
    due = workcalendar.add_working_days(today(ZoneInfo("Asia/Taipei")), 10).isoformat()
    code, _, err = run(
        cli, "improve", survey_id, "environment", "--unit", "sec1", "--plan", "x", "--due", due
    )
    assert code == 2 and len(err.strip().splitlines()) == 1 and "not a finding" in err
    code, out, err = run(
        cli, "improve", survey_id, "measures", "--unit", "sec1", "--plan", "叫號看板", "--due", due
    )
    assert code == 0, err
    assert "Improvement action #1 opened" in out and "First Section" in out
    code, out, _ = run(cli, "improvements", "--open")
    assert code == 0 and out.startswith("#1 survey") and "Open" in out
    code, _, err = run(cli, "improvement", "close", "1")
    assert code == 2 and "written verification" in err
    code, out, err = run(cli, "improvement", "close", "1", "--verification", "已抽查確認")
    assert code == 0 and "Closed" in out, err
    code, out, _ = run(cli, "improvements", "--open")
    assert code == 0 and out.strip() == "No improvement action is open."
    code, out, _ = run(cli, "improvements")
    assert "verification: 已抽查確認" in out
