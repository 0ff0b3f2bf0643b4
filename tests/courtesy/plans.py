"""What the courtesy tests build: a planned 2026 on the branch directory, a call whose inspector
is linked to a chat, a failed call's corrective action, and the audit rows written."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from courtesy import directory, schedule, scoring
from courtesy.rubric import BUSINESS
from storage.db import Database
from storage.queries.audit import fetch_audit
from storage.queries.courtesy import fetch_test_views
from storage.queries.people import fetch_person_view
from tests.factories import directory_csv

MADE = datetime(2027, 6, 1, 9, 0, tzinfo=ZoneInfo("Asia/Taipei"))
"""When tests score calls: after every 2026 call and retest was made, whatever the clock."""

INSPECTOR = 6001
OTHER = 6002
SECRETARY = 6003
FAILING = {
    "speed": 25,
    "unit_name": 8,
    "greeting": 6,
    "surname": 6,
    "tone": 5,
    "accuracy": 5,
    "handling": 0,
    "closing": 5,
}
"""A business call's points worth 60: a failure under the pass mark of 80."""


def plan_2026(db: Database, *, seed: int) -> None:
    """The branch directory imported and 2026 planned: 80 calls, two per unit a round."""
    db.call(directory.import_staff, text=directory_csv())
    db.call(schedule.plan_year, year=2026, target=80, per_unit=2, seed=seed)


def linked_call(db: Database) -> tuple[str, int, int]:
    """A directory and a 2026 plan; returns a business call, its inspector's person id and the
    person id of an inspector it is not assigned to."""
    plan_2026(db, seed=11)
    with db.transaction() as session:
        views = fetch_test_views(session=session, year=2026)
    first = next(v for v in views if v.template == BUSINESS)
    other = next(v.inspector_extension for v in views if v.inspector_id != first.inspector_id)
    db.call(directory.link_inspector, extension=first.inspector_extension, telegram_id=INSPECTOR)
    db.call(directory.link_inspector, extension=other, telegram_id=OTHER)
    with db.transaction() as session:
        mine = fetch_person_view(session=session, telegram_id=INSPECTOR)
        theirs = fetch_person_view(session=session, telegram_id=OTHER)
    assert mine is not None and theirs is not None
    return first.code, mine.id, theirs.id


def audit_rows(db: Database) -> list[tuple[str, str | None, str | None, int | None]]:
    """Every audit row, oldest first: action, target, detail and who."""
    with db.transaction() as session:
        rows = fetch_audit(session=session)
    return [(r.action, r.target, r.detail, r.actor_telegram_id) for r in reversed(rows)]


def failed_action(db: Database, code: str) -> int:
    """Score `code` as a failure and return the corrective action it opened."""
    recorded = db.call(
        scoring.record_result,
        now=MADE,
        code=code,
        points=FAILING,
        pass_mark=80,
        recorded_by="test",
        today=date(2026, 2, 2),
    )
    assert recorded.action_id is not None
    return recorded.action_id


REPORT_FILE_ENDS = (".html", "-units.csv", "-items.csv", "-trend.csv", ".png")
"""How the names of a courtesy report's files end: the page, its three tables and its chart."""
