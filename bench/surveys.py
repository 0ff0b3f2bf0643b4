"""Survey report benchmark: a periodic survey with 20,000 responses, and the case follow-ups'
report over 20,000 follow-ups, each with its HTML, CSV and PNG files.

    .venv/bin/python bench/surveys.py [--responses 20000] [--runs 3]

Target (issue #12): a survey report over 20,000 responses, files included, under 1 s. The
first report of a process loads matplotlib and its fonts; a warm-up run takes that out of the
figures. The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from bot.surveys.admin import create_survey  # noqa: E402
from bot.surveys.case_report import build_case_report  # noqa: E402
from bot.surveys.report_files import write_report  # noqa: E402
from bot.surveys.survey_report import build_survey_report  # noqa: E402
from kernel.periods import HALVES_AND_YEARS, parse_period  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.models import (  # noqa: E402
    Case,
    CaseFollowUp,
    Person,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
)
from storage.queries.surveys import fetch_questions, fetch_units  # noqa: E402

COMMENTS = (
    "等候區座位可以再多一些。",
    "說明清楚，謝謝。",
    "網站公告不容易找到。",
    "<script>x</script>",
)


def fill(db: Database, responses: int) -> int:
    """A sent survey: 1.5 × `responses` invitations, `responses` of them answered (a tenth
    half way), a fifth with a comment; and `responses` case follow-ups in 2027-H1."""
    rng = random.Random(12)
    now = datetime(2027, 3, 1, tzinfo=UTC)
    survey_id = db.call(create_survey, template="service", title="bench", now=now)
    invited = responses * 3 // 2
    with db.transaction() as session:
        session.execute(
            insert(Person),
            [
                {"telegram_id": 10**9 + i, "created_at": now, "blocked": False}
                for i in range(invited)
            ],
        )
        session.execute(
            insert(SurveyInvitation),
            [
                {"survey_id": survey_id, "person_id": i + 1, "invited_at": now, "position": 0}
                for i in range(invited)
            ],
        )
        questions = fetch_questions(session=session, survey_id=survey_id)
        answers = []
        for invitation in range(1, responses + 1):
            stop = len(questions) if rng.random() > 0.1 else rng.randint(1, 5)
            for question in questions[:stop]:
                if question.kind == "text":
                    if rng.random() < 0.2:
                        answers.append((invitation, question.id, None, rng.choice(COMMENTS)))
                else:
                    answers.append(
                        (invitation, question.id, rng.choice((1, 2, 3, 4, 4, 5, 5)), None)
                    )
        session.execute(
            insert(SurveyAnswer),
            [
                {"invitation_id": i, "question_id": q, "score": s, "text": t, "answered_at": now}
                for i, q, s, t in answers
            ],
        )
        survey = session.get(Survey, survey_id)
        assert survey is not None
        survey.state, survey.sent_at = "open", now
        units = [u.id for u in fetch_units(session=session)]
        day = date(2027, 1, 4)
        session.execute(
            insert(Case),
            [
                {
                    "number": f"P2027-{i:05d}",
                    "year": 2027,
                    "seq": i,
                    "kind": "product",
                    "channel": "telegram",
                    "subject": "s",
                    "description": "d",
                    "state": "closed",
                    "received_at": now,
                    "received_on": day,
                    "due_on": day,
                    "closed_on": day,
                    "created_at": now,
                    "extended_days": 0,
                }
                for i in range(1, responses + 1)
            ],
        )
        session.execute(
            insert(CaseFollowUp),
            [
                {
                    "case_id": i,
                    "kind": rng.choice(("product", "service", "monitor")),
                    "unit_id": rng.choice(units),
                    "on_time": rng.random() > 0.1,
                    "closed_on": day,
                    "asked_at": now + timedelta(minutes=i),
                    "expires_at": now + timedelta(days=14),
                    "score": rng.choice((None, 2, 3, 4, 5, 5)),
                    "comment": rng.choice(COMMENTS) if rng.random() < 0.1 else None,
                    "comment_done": True,
                }
                for i in range(1, responses + 1)
            ],
        )
    return survey_id


def timed(runs: int, make: object) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        make()  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return round(min(timings), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{folder}/bench.sqlite3")
        db.upgrade()
        started = time.perf_counter()
        survey_id = fill(db, args.responses)
        filled = round(time.perf_counter() - started, 1)
        out = Path(folder) / "out"

        def survey_compute() -> object:
            return db.call(build_survey_report, survey_id=survey_id, language="zh-TW")

        def survey_files() -> object:
            return write_report(survey_compute(), out)  # type: ignore[arg-type]

        def case_files() -> object:
            report = db.call(
                build_case_report,
                period=parse_period("2027-H1", kinds=HALVES_AND_YEARS),
                language="zh-TW",
            )
            return write_report(report, out)

        survey_files()  # warm-up: matplotlib and its fonts load once per process
        report = survey_compute()
        figures = {
            "responses": report.responded,  # type: ignore[attr-defined]
            "invited": report.invited,  # type: ignore[attr-defined]
            "fill_s": filled,
            "survey_compute_s": timed(args.runs, survey_compute),
            "survey_with_files_s": timed(args.runs, survey_files),
            "cases_with_files_s": timed(args.runs, case_files),
        }
        db.dispose()
    for key, value in figures.items():
        print(f"{key:>22}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
