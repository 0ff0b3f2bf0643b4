"""The survey report against the previous survey of its template, and the case follow-ups'
report by kind, unit and on time vs late, with unit names rather than codes."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlmodel import Session, select

from bot.surveys.admin import create_survey, send_survey
from bot.surveys.answering import answer_scale, answer_text, start
from bot.surveys.case_report import build_case_report
from bot.surveys.followups import answer_score, ask_due
from bot.surveys.report_files import write_report
from bot.surveys.survey_report import build_survey_report
from kernel.clock import utcnow
from kernel.periods import HALVES_AND_YEARS, parse_period
from storage.db import Database
from storage.models import CaseFollowUp, Person, SurveyInvitation
from tests.bot.surveys.test_followups import close
from tests.factories import TZ, add_firm


def answered_survey(db: Database, title: str, answers: dict[int, list[int]]) -> int:
    """A service survey sent to the firms in `answers`, each answering the five scales."""
    survey_id = db.call(create_survey, template="service", title=title, now=utcnow())
    db.call(
        send_survey, survey_id=survey_id, category_codes=[], sample=None, seed=None, now=utcnow()
    )

    def who(*, session: Session) -> dict[int, tuple[int, int]]:
        rows = session.exec(
            select(Person.telegram_id, Person.id, SurveyInvitation.id)
            .join(SurveyInvitation, SurveyInvitation.person_id == Person.id)  # type: ignore[arg-type]
            .where(SurveyInvitation.survey_id == survey_id)
        ).all()
        return {int(t): (int(p), int(i or 0)) for t, p, i in rows}

    people = db.call(who)
    for chat, scores in answers.items():
        person_id, invitation_id = people[chat]
        db.call(start, survey_id=survey_id, person_id=person_id, language="en")
        for position, score in enumerate(scores):
            step = db.call(
                answer_scale,
                invitation_id=invitation_id,
                person_id=person_id,
                position=position,
                score=score,
                language="en",
                now=utcnow(),
            )
            assert step.outcome.value == "ask"
        db.call(
            answer_text,
            invitation_id=invitation_id,
            person_id=person_id,
            text=None,
            language="en",
            now=utcnow(),
        )
    return survey_id


def test_the_trend_against_the_previous_survey_of_the_template(
    db: Database, tmp_path: Path
) -> None:
    def firms(*, session: Session) -> None:
        for chat in (101, 102, 103):
            add_firm(session, chat, ["cns"])

    db.call(firms)
    first = answered_survey(db, "2026 H1", {101: [2, 2, 3, 3, 2], 102: [4, 4, 3, 3, 4]})
    second = answered_survey(db, "2026 H2", {101: [4, 3, 5, 4, 4], 103: [4, 5, 5, 2, 4]})
    report = db.call(build_survey_report, survey_id=second, language="en", western=True)
    assert report.invited == 3 and report.responded == 2
    environment = next(r for r in report.items if "environment" in r.label_en)
    assert (environment.figures.mean, environment.previous, environment.change) == (4.0, 3.0, 1.0)
    measures = next(r for r in report.items if "measures" in r.label_en)
    assert report.items[0] is measures and measures.change == 0.0
    assert [t.label.split(" (")[0] for t in report.trend] == ["2026 H1", "2026 H2"]
    assert [t.figures.mean for t in report.trend] == [3.0, 4.0]  # the overall question
    earlier = db.call(build_survey_report, survey_id=first, language="en")
    assert len(earlier.trend) == 1 and all(r.previous is None for r in earlier.items)
    files = write_report(report, tmp_path)
    html = files[0].read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "<caption>" in html and 'role="img"' in html


def test_the_case_report_by_kind_unit_and_timeliness(db: Database, tmp_path: Path) -> None:
    closed_on = date(2027, 3, 9)
    close(db, 6201, "sec1", closed_on, late=False)
    close(db, 6202, "sec2", closed_on, late=True)
    close(db, 6203, "sec2", closed_on, late=False)
    asked = datetime.combine(date(2027, 3, 10), time(10), tzinfo=TZ)
    assert db.call(ask_due, now=asked, tz=TZ) == 3
    follow_ups = db.call(lambda *, session: list(session.exec(select(CaseFollowUp)).all()))  # type: ignore[misc]
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
