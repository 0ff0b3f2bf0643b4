"""Open needs reminded to their unit's staff and the secretariat: 5 and 1 working days before
the deadline and once it has passed, on working days between 09:00 and 17:00 local time.

Each reminder is an outbox row (`need_reminder`) whose unique `once_key` (stage, need, deadline,
recipient) is written in the transaction that finds it, so it is never written, and never sent,
twice; the delivery worker sends, retries and records it."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session

from kernel import workcalendar
from storage.models import FirmNeed
from storage.models.notices import NoticeKind
from storage.queries import visits as q
from storage.queries.outbox.texts import enqueue_reminder

SEND_FROM = time(9, 0)
SEND_UNTIL = time(17, 0)
EARLY = 5
EVE = 1
"""Working days before the deadline the unit is reminded."""
KIND = NoticeKind.NEED_REMINDER.value
SHOWN = 200
"""Characters of the need's text a reminder quotes."""


def stage(need: FirmNeed, *, today: date) -> str | None:
    """Which reminder is due for an open need today: early, eve, overdue or none."""
    if today > need.due_on:
        return "overdue"
    left = workcalendar.working_days_between(today, need.due_on)
    if left <= EVE:
        return "eve"
    if left <= EARLY:
        return "early"
    return None


def in_office_hours(local: datetime) -> bool:
    return workcalendar.is_working_day(local.date()) and SEND_FROM <= local.time() < SEND_UNTIL


def enqueue_due_reminders(
    session: Session, *, now: datetime, tz: ZoneInfo, default_language: str
) -> int:
    """Write every need reminder due at `now` and not yet in the outbox; returns the rows
    written (none outside office hours)."""
    local = now.astimezone(tz)
    if not in_office_hours(local):
        return 0
    today = local.date()
    units = q.fetch_units_by_id(session=session)
    written = 0
    for need in q.fetch_open_needs(session=session):
        which = stage(need, today=today)
        if which is None:
            continue
        unit = units[need.unit_id]
        text = need.text if len(need.text) <= SHOWN else need.text[: SHOWN - 1] + "…"
        for person in q.fetch_need_recipients(session=session, unit_id=need.unit_id):
            language = person.language or default_language
            written += enqueue_reminder(
                session=session,
                kind=KIND,
                key=f"visits.remind.{which}",
                values={
                    "need_id": need.id,
                    "tax_id": need.tax_id,
                    "firm": need.firm_name or "",
                    "unit": unit.name_in(language),
                    "text": text,
                    "due": need.due_on,
                    "late": (today - need.due_on).days,
                },
                chat_id=person.telegram_id,
                once_key=f"{which}:{need.id}:{need.due_on.isoformat()}:{person.telegram_id}",
                now=now,
            )
    return written
