"""Deadline reminders' rules: the secretariat is reminded 20, 10 and 3 working days before a
period's publication deadline while the period is unpublished, on working days only. Rows
decide: each reminder is an outbox row with a unique key (`period:days:telegram id`), written
once, so a restart never sends one twice. A bot that was down on a reminder's day sends it on
the next working day, and only the latest one due (never 20 and 10 together)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from bot.assessment.scoring import period_state
from kernel import workcalendar
from kernel.periods import Period
from storage.models import Role
from storage.queries.assessment import fetch_publication
from storage.queries.courtesy import fetch_languages
from storage.queries.people import fetch_staff_telegram_ids

DAYS_BEFORE = (20, 10, 3)


def reminder_day(deadline: date, days: int) -> date:
    """The working day `days` working days before `deadline`."""
    day = deadline
    for _ in range(days):
        day = workcalendar.previous_working_day(day)
    return day


def candidates(today: date) -> list[Period]:
    """The periods whose deadline may be near: last year's, this year's first half and year."""
    return [Period(today.year - 1), Period(today.year, half=1), Period(today.year)]


@dataclass(frozen=True)
class Due:
    period: Period
    days: int
    """The threshold reached (20, 10 or 3)."""
    working_days_left: int
    recipients: list[int]
    scored: int
    units: int
    languages: dict[int, str]
    """Telegram id → saved language (people without one get the default)."""

    def key(self, telegram_id: int) -> str:
        return f"{self.period.code}:{self.days}:{telegram_id}"


def due_today(session: Session, *, today: date) -> list[Due]:
    """The reminders to send today: for each unpublished period, the latest threshold whose day
    has come, before the deadline, to every secretariat member."""
    if not workcalendar.is_working_day(today):
        return []
    recipients = sorted(
        telegram_id
        for telegram_id, roles in fetch_staff_telegram_ids(session=session).items()
        if Role.SECRETARIAT in roles
    )
    found = []
    for period in candidates(today):
        if today > period.deadline:
            continue
        reached = [n for n in DAYS_BEFORE if reminder_day(period.deadline, n) <= today]
        if not reached:
            continue
        if fetch_publication(session=session, period=period.code) is not None:
            continue
        left = workcalendar.working_days_between(today, period.deadline)
        state = period_state(session=session, period=period)
        found.append(
            Due(
                period,
                min(reached),
                left,
                recipients,
                state.scored,
                len(state.units),
                fetch_languages(session=session, telegram_ids=recipients),
            )
        )
    return found
