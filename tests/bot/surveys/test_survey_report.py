"""The report of a periodic survey (`bot/surveys/survey_report.py`) against the previous
survey of its template, written as its files."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from bot.surveys.admin import create_survey, send_survey
from bot.surveys.answering import answer_scale, answer_text, start
from bot.surveys.report_files import write_report
from bot.surveys.survey_report import build_survey_report
from kernel.clock import utcnow
from storage.db import Database
from storage.models import Person, SurveyInvitation
from tests.factories import add_firm


def answered_survey(db: Database, title: str, answers: dict[int, list[int]]) -> int:
    """A service survey sent to the firms in `answers`, each answering the five scales."""
    survey_id = db.call(create_survey, template="service", title=title, now=utcnow())
    db.call(
        send_survey, survey_id=survey_id, category_codes=[], sample=None, seed=None, now=utcnow()
    )

    def who(session: Session) -> dict[int, tuple[int, int]]:
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
    def firms(session: Session) -> None:
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


def _firms(db: Database, chats: range) -> None:
    def add(session: Session) -> None:
        for chat in chats:
            add_firm(session, chat, ["cns"])

    db.call(add)


def test_a_survey_where_everyone_is_unhappy_or_everyone_happy_still_reports(
    db: Database, tmp_path: Path
) -> None:
    # 0 of 3 happy gave a lower bound of 5.55e-17 and 10 of 10 an upper bound just under 1:
    # the error bar came out negative and `survey report` died in matplotlib writing nothing.
    _firms(db, range(301, 314))
    unhappy = answered_survey(db, "all unhappy", {c: [1, 2, 1, 2, 3] for c in range(301, 304)})
    happy = answered_survey(db, "all happy", {c: [5, 4, 5, 4, 5] for c in range(301, 314)})
    alone = answered_survey(db, "one answer", {301: [5, 1, 4, 2, 3]})
    for survey_id, folder in ((unhappy, "a"), (happy, "b"), (alone, "c")):
        report = db.call(build_survey_report, survey_id=survey_id, language="en", western=True)
        files = write_report(report, tmp_path / folder)
        assert files and all(f.stat().st_size > 0 for f in files)
        for row in report.items:
            f = row.figures
            assert f.low is not None and f.high is not None and f.satisfied is not None
            assert 0.0 <= f.low <= f.satisfied <= f.high <= 1.0
    report = db.call(build_survey_report, survey_id=happy, language="en", western=True)
    assert all(r.figures.high == 1.0 and r.figures.satisfied == 1.0 for r in report.items)
