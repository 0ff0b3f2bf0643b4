"""The courtesy demo: a year of calls all scored, corrective actions in several states (one
critical), and its reports written."""

from __future__ import annotations

import random
from pathlib import Path

from courtesy.demo import seed_demo, write_demo_report
from storage.db import Database
from storage.queries.courtesy import fetch_actions, fetch_test_views
from tests.courtesy.plans import REPORT_FILE_ENDS


def test_the_demo_fills_a_year_with_actions_in_several_states_and_writes_reports(
    db: Database, tmp_path: Path
) -> None:
    db.call(seed_demo, rng=random.Random(3), year=2025)
    with db.transaction() as session:
        views = fetch_test_views(session=session, year=2025)
        states = {a.status for a in fetch_actions(session=session)}
        critical = [a for a in fetch_actions(session=session) if a.critical]
    assert len([v for v in views if v.retest_of_action_id is None]) == 80
    assert all(v.status == "scored" for v in views if v.retest_of_action_id is None)
    assert {"open", "planned", "implemented", "verified"} <= states
    assert len(critical) == 1
    files = db.call(write_demo_report, out=tmp_path, year=2025)
    assert [f.name for f in files] == [
        *(f"courtesy-2025-3{end}" for end in REPORT_FILE_ENDS),
        *(f"courtesy-2025{end}" for end in REPORT_FILE_ENDS),
    ]
