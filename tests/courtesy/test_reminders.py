"""Who is reminded of what: an inspector of today's calls and, three working days before the
results are due, of the calls still to score; the secretariat of results overdue, on working
days only; each in the language they saved."""

from __future__ import annotations

from datetime import date

from courtesy import reminders
from storage.db import Database
from storage.models import Person, Role
from storage.queries.courtesy import fetch_test_views
from tests.courtesy.plans import INSPECTOR, SECRETARY, linked_call
from tests.factories import person

ROUND_1_DUE = date(2026, 5, 4)
"""Round 1's results are due on 2026-05-03, a Sunday, so on Monday the 4th."""


def test_the_reminder_day_is_three_working_days_before_the_due_date() -> None:
    # 2026-05-01 is Labour Day and the 2nd and 3rd a weekend: Thursday, Wednesday, Tuesday
    assert reminders.reminder_day(ROUND_1_DUE) == date(2026, 4, 28)
    assert reminders.reminder_day(date(2026, 4, 30)) == date(2026, 4, 27)


def test_an_inspector_is_reminded_of_their_unscored_calls_on_the_reminder_day_only(
    db: Database,
) -> None:
    code, _, _ = linked_call(db)
    with db.transaction() as session:
        views = fetch_test_views(session=session, year=2026)
    mine = next(v for v in views if v.code == code)
    theirs = {
        v.code
        for v in views
        if v.round == 1 and v.inspector_id == mine.inspector_id and v.status == "planned"
    }
    due = db.call(reminders.due_soon, today=date(2026, 4, 28))
    assert {v.code for v in due[INSPECTOR]} == theirs and code in theirs
    # only inspectors linked to a chat are reminded
    assert set(due) <= {INSPECTOR, 6002}
    assert db.call(reminders.due_soon, today=date(2026, 4, 29)) == {}
    assert db.call(reminders.due_soon, today=date(2026, 4, 25)) == {}  # a Saturday


def test_the_days_calls_go_to_their_linked_inspector_alone(db: Database) -> None:
    code, _, _ = linked_call(db)
    with db.transaction() as session:
        views = fetch_test_views(session=session, year=2026)
    mine = next(v for v in views if v.code == code)
    today = db.call(reminders.calls_today, today=mine.day)
    expected = {v.code for v in views if v.day == mine.day and v.inspector_id == mine.inspector_id}
    assert {v.code for v in today[INSPECTOR]} == expected
    unlinked = [v for v in views if v.day == mine.day and v.inspector_person_id is None]
    assert all(v.code not in {c.code for c in sum(today.values(), [])} for v in unlinked)


def test_overdue_results_go_to_the_secretariat_on_working_days_in_their_language(
    db: Database,
) -> None:
    linked_call(db)
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    person(db, 6004, Role.ADMIN)
    with db.transaction() as session:
        row = session.get(Person, secretary.id)
        assert row is not None
        row.language = "en"
        session.add(row)
    before = db.call(reminders.agenda, today=ROUND_1_DUE)
    assert before.late == [] and before.secretariat == []
    after = db.call(reminders.agenda, today=date(2026, 5, 5))
    round_1 = [v for v in db.call(fetch_test_views, year=2026) if v.round == 1]
    assert {v.code for v in after.late} == {v.code for v in round_1}
    assert after.secretariat == [SECRETARY]
    assert after.languages[SECRETARY] == "en" and INSPECTOR not in after.languages
    saturday = db.call(reminders.agenda, today=date(2026, 5, 9))
    assert (saturday.late, saturday.secretariat) == ([], [])
