"""Which case reminders are due, written to the outbox once per recipient.

The assigned unit's inspectors are reminded when half the time is gone and on the working day
before the deadline; the secretariat gets the overdue list at 09:00 (Asia/Taipei by default) on
working days. Each reminder is an outbox row (`case_reminder`) whose unique `once_key` (kind,
case and deadline or day, recipient) is written in the same transaction that finds it, so it is
never written, and never sent, twice; the delivery worker sends, retries and records it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.cases.deadlines import add_days, days_between
from bot.cases.news import CaseNews, tell
from kernel import workcalendar
from kernel.i18n import t
from storage.models import Role
from storage.models.notices import NoticeKind
from storage.queries.cases import (
    fetch_overdue_cases,
    fetch_role_people,
    fetch_running_cases,
    fetch_unit_inspectors,
)

SEND_AT = time(9, 0)
MoreOverdue = Callable[[Session, date, str], str]
"""Another domain's section of the secretariat's overdue list, in a language ("" if none)."""


def half_time(received_on: date, due_on: date, counting: str) -> date:
    """The day half of the time to the deadline is gone."""
    span = days_between(received_on, due_on, counting)
    return add_days(received_on, span // 2, counting)


def enqueue_due_reminders(
    session: Session,
    *,
    now: datetime,
    tz: ZoneInfo,
    counting: str,
    default_language: str,
    more_overdue: MoreOverdue | None = None,
) -> int:
    """Write every reminder due at `now` and not yet in the outbox; returns the rows written.

    Nothing is due before 09:00 local time or on a day off."""
    local = now.astimezone(tz)
    today = local.date()
    if local.time() < SEND_AT or not workcalendar.is_working_day(today):
        return 0
    kind = NoticeKind.CASE_REMINDER.value
    written = 0
    for case_row in fetch_running_cases(session=session):
        assert case_row.unit_id is not None
        eve = workcalendar.previous_working_day(case_row.due_on)
        if eve <= today <= case_row.due_on:
            which = "eve"
        elif half_time(case_row.received_on, case_row.due_on, counting) <= today < eve:
            which = "half"
        else:
            continue
        key = f"{which}:{case_row.id}:{case_row.due_on.isoformat()}"
        people = fetch_unit_inspectors(session=session, unit_id=case_row.unit_id)
        written += tell(
            session=session,
            case_id=case_row.id,
            kind=kind,
            notices=[
                CaseNews(
                    chat_id=p.telegram_id,
                    language=p.language or default_language,
                    key=f"reminders.{which}",
                    values={"number": case_row.number, "due": case_row.due_on},
                    person_id=p.id,
                )
                for p in people
            ],
            once_keys={p.telegram_id: f"{kind}:{key}:{p.telegram_id}" for p in people},
            now=now,
        )
    overdue = fetch_overdue_cases(session=session, today=today)
    for person in fetch_role_people(session=session, role=Role.SECRETARIAT):
        language = person.language or default_language
        more = more_overdue(session, today, language) if more_overdue else ""
        if not overdue and not more:
            continue
        zh = language == "zh-TW"
        listed = "\n".join(
            t(
                language,
                "reminders.overdue_line",
                number=c.number,
                unit=(u.name_zh if zh else u.name_en) if u else t(language, "cases.no_unit"),
                days=(today - c.due_on).days,
            )
            for c, u in overdue[:50]
        )
        lines = listed + (f"\n\n{more}" if more else "")
        written += tell(
            session=session,
            case_id=None,
            kind=kind,
            notices=[
                CaseNews(
                    chat_id=person.telegram_id,
                    language=language,
                    key="reminders.overdue",
                    values={"count": len(overdue), "lines": lines},
                    person_id=person.id,
                )
            ],
            once_keys={
                person.telegram_id: f"{kind}:overdue:{today.isoformat()}:{person.telegram_id}"
            },
            now=now,
        )
    return written
