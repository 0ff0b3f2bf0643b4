"""Lists of cases: inspectors list their units' cases only, the secretariat every unit's; only a
running clock is late; a reporter sees their own cases."""

from __future__ import annotations

from datetime import date

from bot.cases.actions import Action
from bot.cases.listing import list_cases, reporter_cases
from storage.db import Database
from storage.models import Role
from storage.queries.people import PersonView
from tests.factories import do, file_on, person

SECRETARY = 5101
INSPECTOR = 5102
REPORTER = 5103
TODAY = date(2026, 3, 30)


def page(db: Database, viewer: PersonView, which: str) -> list[tuple[str, int]]:
    found = db.call(list_cases, viewer=viewer, which=which, today=TODAY, offset=0, limit=10)
    return [(listed.case.number, listed.days_late) for listed in found.cases]


def test_inspectors_list_their_units_cases_and_only_a_running_clock_is_late(db: Database) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT, unit="sec2")
    inspector = person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    reporter = person(db, REPORTER)
    running = file_on(db, date(2026, 1, 5), reporter=reporter)
    paused = file_on(db, date(2026, 1, 5))
    elsewhere = file_on(db, date(2026, 3, 2))
    for filed, unit in ((running, "sec1"), (paused, "sec1"), (elsewhere, "sec5")):
        do(db, filed.number, Action.ASSIGN, secretary, date(2026, 1, 6), unit=unit)
    do(db, paused.number, Action.ASK_INFO, secretary, date(2026, 1, 7), text="哪一家分店？")
    late = (TODAY - running.due_on).days
    assert late > 0
    assert page(db, inspector, "open") == [(running.number, late), (paused.number, 0)]
    assert page(db, inspector, "overdue") == [(running.number, late)]
    assert [n for n, _ in page(db, secretary, "open")] == [
        running.number,
        paused.number,
        elsewhere.number,
    ]
    assert page(db, secretary, "mine") == []  # the secretary's own unit has none
    assert [c.number for c in db.call(reporter_cases, reporter=reporter)] == [running.number]
