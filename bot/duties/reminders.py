"""Duty reminders' rules: the owner unit's staff and the secretariat are reminded 10 and 3
working days before an occurrence is due and on the day, on working days only, while it is not
done. Each reminder is an outbox row with a unique key (`occurrence:days:telegram id`), so a
restart never sends one twice; a bot that was down on a reminder's day sends only the latest
one reached (never 10 and 3 together). The secretariat's daily overdue list gets a section of
overdue duties (`overdue_lines`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from bot.duties.records import bring_in
from bot.duties.schedule import working_days_before
from kernel import workcalendar
from kernel.i18n import Markup, t
from kernel.reporting import format_day
from storage.models import Person, Role
from storage.queries.cases import fetch_role_people, fetch_unit_inspectors
from storage.queries.duties import fetch_occurrences, fetch_open_occurrences_before

DAYS_BEFORE = (10, 3, 0)
AHEAD = 31
"""Calendar days ahead that hold 10 working days, holidays included."""
OVERDUE_LINES = 30
"""At most this many overdue duties in the daily list (then how many more)."""


@dataclass(frozen=True)
class Due:
    occurrence_id: int
    title_zh: str
    title_en: str
    unit_zh: str
    unit_en: str
    due_on: date
    days: int
    """The threshold reached (10, 3 or 0)."""
    recipients: list[Person]

    def key(self, telegram_id: int) -> str:
        return f"{self.occurrence_id}:{self.days}:{telegram_id}"


def due_today(session: Session, *, today: date) -> list[Due]:
    """The reminders to send today: for each occurrence not done and not yet past due, the
    latest threshold whose day has come, to its unit's staff and the secretariat."""
    if not workcalendar.is_working_day(today):
        return []
    bring_in(session=session, first=today, last=today + timedelta(days=AHEAD))
    secretariat = fetch_role_people(session=session, role=Role.SECRETARIAT)
    found = []
    for occurrence, duty, unit in fetch_occurrences(
        session=session, first=today, last=today + timedelta(days=AHEAD)
    ):
        if occurrence.done_on is not None:
            continue
        reached = [n for n in DAYS_BEFORE if working_days_before(occurrence.due_on, n) <= today]
        if not reached:
            continue
        assert occurrence.id is not None and unit.id is not None
        people = {
            p.telegram_id: p
            for p in [*fetch_unit_inspectors(session=session, unit_id=unit.id), *secretariat]
        }
        found.append(
            Due(
                occurrence.id,
                duty.title_zh,
                duty.title_en,
                unit.name_zh,
                unit.name_en,
                occurrence.due_on,
                min(reached),
                [people[k] for k in sorted(people)],
            )
        )
    return found


def overdue_lines(session: Session, *, today: date, language: str) -> str:
    """The overdue duties as lines for the secretariat's daily overdue list ("" when none)."""
    rows = fetch_open_occurrences_before(session=session, day=today)
    if not rows:
        return ""
    roc = language == "zh-TW"
    lines = [
        t(
            language,
            "duties.overdue_line",
            id=occurrence.id,
            title=duty.title_in(language),
            unit=unit.name_in(language),
            due=format_day(occurrence.due_on, language, roc=roc),
            days=(today - occurrence.due_on).days,
        )
        for occurrence, duty, unit in rows[:OVERDUE_LINES]
    ]
    if len(rows) > OVERDUE_LINES:
        lines.append(t(language, "duties.overdue_more", count=len(rows) - OVERDUE_LINES))
    return Markup(t(language, "duties.overdue_head", count=len(rows)) + "\n" + "\n".join(lines))
