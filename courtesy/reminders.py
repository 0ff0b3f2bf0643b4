"""Who is reminded of what: inspectors of the calls they are to make today and three working
days before results are due, and the
secretariat of results already overdue. Rows, not timers, decide; the job writes each reminder
to the outbox with a unique key (kind, day, person), so it goes out once per person and day even
across restarts."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from kernel import workcalendar
from storage.models import Role, TestStatus
from storage.queries.courtesy import (
    TestView,
    fetch_languages,
    fetch_rounds,
    fetch_telegram_ids,
    fetch_test_views,
)
from storage.queries.people import fetch_staff_telegram_ids

REMIND_WORKING_DAYS = 3


def reminder_day(due: date) -> date:
    """The working day three working days before `due` (counting back from the due date)."""
    day = due
    for _ in range(REMIND_WORKING_DAYS):
        day = workcalendar.previous_working_day(day)
    return day


def due_soon(session: Session, *, today: date) -> dict[int, list[TestView]]:
    """Telegram id → unscored calls of rounds due in exactly three working days."""
    if not workcalendar.is_working_day(today):
        return {}
    rounds = [
        r.id
        for r in fetch_rounds(session=session)
        if r.id is not None and reminder_day(r.due_on) == today
    ]
    if not rounds:
        return {}
    views = fetch_test_views(session=session, round_ids=rounds, status=TestStatus.PLANNED.value)
    return _by_inspector(session, views)


def calls_today(session: Session, *, today: date) -> dict[int, list[TestView]]:
    """Telegram id → the calls an inspector is to make today (unannounced, so only they know)."""
    views = [
        v
        for v in fetch_test_views(session=session, status=TestStatus.PLANNED.value)
        if v.day == today and v.inspector_person_id is not None
    ]
    return _by_inspector(session, views)


def _by_inspector(session: Session, views: list[TestView]) -> dict[int, list[TestView]]:
    people = fetch_telegram_ids(
        session=session,
        person_ids=sorted({v.inspector_person_id for v in views if v.inspector_person_id}),
    )
    found: dict[int, list[TestView]] = defaultdict(list)
    for view in views:
        if view.inspector_person_id in people:
            found[people[view.inspector_person_id]].append(view)
    return dict(found)


def overdue(session: Session, *, today: date) -> list[TestView]:
    """Unscored calls whose results were due before today; sent on working days only, like
    the daily list of overdue cases."""
    if not workcalendar.is_working_day(today):
        return []
    return [
        v
        for v in fetch_test_views(session=session, status=TestStatus.PLANNED.value)
        if v.due_on < today
    ]


@dataclass(frozen=True)
class Agenda:
    """Everything one check may send: Telegram id → today's calls and → calls due soon, the
    overdue calls with the secretariat to tell, and each recipient's saved language."""

    calls: dict[int, list[TestView]]
    due: dict[int, list[TestView]]
    late: list[TestView]
    secretariat: list[int]
    languages: dict[int, str]


def agenda(session: Session, *, today: date) -> Agenda:
    """The reminders of `today` (see the module docstring), read in one transaction."""
    calls = calls_today(session=session, today=today)
    due = due_soon(session=session, today=today)
    late = overdue(session=session, today=today)
    holders = fetch_staff_telegram_ids(session=session) if late else {}
    secretariat = sorted(tid for tid, held in holders.items() if Role.SECRETARIAT in held)
    languages = fetch_languages(session=session, telegram_ids=sorted({*calls, *due, *secretariat}))
    return Agenda(calls, due, late, secretariat, languages)
