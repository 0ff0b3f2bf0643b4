"""Which case reminders are due, claimed once per recipient.

The assigned unit's inspectors are reminded when half the time is gone and on the working day
before the deadline; the secretariat gets the overdue list at 09:00 (Asia/Taipei by default) on
working days. Each reminder is claimed per recipient by a unique key in `casereminder` in the
same transaction that finds it, so a restart never sends it twice; the sender
(`bot/jobs/case_reminders.py`) releases a claim whose message failed, to retry it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.cases.deadlines import add_days, days_between
from bot.cases.news import Notice
from kernel import workcalendar
from kernel.i18n import t
from storage.models import Role
from storage.queries.cases import (
    claim_reminder,
    fetch_overdue_cases,
    fetch_role_people,
    fetch_running_cases,
    fetch_unit_inspectors,
)

SEND_AT = time(9, 0)


@dataclass(frozen=True)
class Reminder:
    """A notice due now, and the key of its claim (released when the message fails)."""

    key: str
    notice: Notice


def half_time(received_on: date, due_on: date, counting: str) -> date:
    """The day half of the time to the deadline is gone."""
    span = days_between(received_on, due_on, counting)
    return add_days(received_on, span // 2, counting)


def claim_due_reminders(
    *, session: Session, now: datetime, tz: ZoneInfo, counting: str, default_language: str
) -> list[Reminder]:
    """Every reminder due at `now` and not yet sent, each claimed in this transaction.

    Nothing is due before 09:00 local time or on a day off."""
    local = now.astimezone(tz)
    today = local.date()
    if local.time() < SEND_AT or not workcalendar.is_working_day(today):
        return []
    found: list[Reminder] = []
    for case_row in fetch_running_cases(session=session):
        assert case_row.unit_id is not None
        eve = workcalendar.previous_working_day(case_row.due_on)
        if eve <= today <= case_row.due_on:
            kind, key = "eve", f"eve:{case_row.id}:{case_row.due_on.isoformat()}"
        elif half_time(case_row.received_on, case_row.due_on, counting) <= today < eve:
            kind, key = "half", f"half:{case_row.id}:{case_row.due_on.isoformat()}"
        else:
            continue
        for person in fetch_unit_inspectors(session=session, unit_id=case_row.unit_id):
            mine = f"{key}:{person.telegram_id}"
            if not claim_reminder(session=session, key=mine, at=now):
                continue
            found.append(
                Reminder(
                    key=mine,
                    notice=Notice(
                        chat_id=person.telegram_id,
                        language=person.language or default_language,
                        key=f"reminders.{kind}",
                        values={"number": case_row.number, "due": case_row.due_on},
                    ),
                )
            )
    overdue = fetch_overdue_cases(session=session, today=today)
    for person in fetch_role_people(session=session, role=Role.SECRETARIAT) if overdue else []:
        key = f"overdue:{today.isoformat()}:{person.telegram_id}"
        if not claim_reminder(session=session, key=key, at=now):
            continue
        language = person.language or default_language
        zh = language == "zh-TW"
        lines = "\n".join(
            t(
                language,
                "reminders.overdue_line",
                number=c.number,
                unit=(u.name_zh if zh else u.name_en) if u else t(language, "cases.no_unit"),
                days=(today - c.due_on).days,
            )
            for c, u in overdue[:50]
        )
        found.append(
            Reminder(
                key=key,
                notice=Notice(
                    chat_id=person.telegram_id,
                    language=language,
                    key="reminders.overdue",
                    values={"count": len(overdue), "lines": lines},
                ),
            )
        )
    return found
