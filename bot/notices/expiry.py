"""Certificate expiry reminders: when each is planned, which are due and what becomes of them,
and the message a firm receives.

A reminder `days` before expiry is planned on the last working day on or before that date
(Taiwan's work calendar) and due from 09:30 local time. Due reminders are released only in
office hours (08:30–17:30 on a working day), so one found late goes out at once then, else at
the next opening. One past its certificate's expiry is skipped; of several due at once for one
certificate only the latest goes out and the earlier ones are superseded. The state change and
the outbox rows are written in one transaction, and a reminder leaves `planned` only once, so a
restart never sends one twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session

from kernel import workcalendar
from kernel.i18n import t
from kernel.outgoing import Part
from kernel.reporting import format_day
from storage.models.registry import ReminderState
from storage.queries.outbox.enqueue import enqueue
from storage.queries.registry import certificates as certificates_q
from storage.queries.registry import expiry_reminders as expiry_reminders_q
from storage.queries.registry import firm_chats as firm_chats_q
from storage.queries.registry import renewals as renewals_q

SEND_FROM = time(9, 30)
OFFICE_OPENS = time(8, 30)
OFFICE_CLOSES = time(17, 30)
BATCH = 500
"""Due reminders read at a time."""


def planned_on(expires_on: date, days: int, cache: dict[date, date] | None = None) -> date:
    """The last working day on or before `days` days before `expires_on`."""
    target = expires_on - timedelta(days=days)
    if cache is not None and target in cache:
        return cache[target]
    day = (
        target
        if workcalendar.is_working_day(target)
        else workcalendar.previous_working_day(target)
    )
    if cache is not None:
        cache[target] = day
    return day


def due_at(day: date, tz: ZoneInfo) -> datetime:
    """When a reminder planned on `day` may go out: 09:30 local time."""
    return datetime.combine(day, SEND_FROM, tzinfo=tz)


@dataclass(frozen=True)
class Plan:
    days_before: int
    planned_on: date
    due_at: datetime


def plan(
    expires_on: date, days: Sequence[int], tz: ZoneInfo, cache: dict[date, date] | None = None
) -> list[Plan]:
    """The reminders of a certificate expiring on `expires_on`, earliest first."""
    plans = []
    for count in sorted(set(days), reverse=True):
        day = planned_on(expires_on, count, cache)
        plans.append(Plan(count, day, due_at(day, tz)))
    return plans


def in_office_hours(moment: datetime, tz: ZoneInfo) -> bool:
    """08:30–17:30 local time on a working day."""
    local = moment.astimezone(tz)
    return (
        workcalendar.is_working_day(local.date())
        and OFFICE_OPENS <= local.time().replace(tzinfo=None) < OFFICE_CLOSES
    )


@dataclass(frozen=True)
class Released:
    """What one pass did: reminders sent (with their outbox rows), superseded, skipped,
    unreachable."""

    sent: int = 0
    recipients: int = 0
    superseded: int = 0
    skipped: int = 0
    unreachable: int = 0


def release_due_reminders(session: Session, *, now: datetime, tz: ZoneInfo) -> Released:
    """Release the reminders due at `now` (nothing outside office hours), in the caller's one
    transaction: each sent one gets a notice row of kind `reminder` and its outbox rows."""
    if not in_office_hours(now, tz):
        return Released()
    today = now.astimezone(tz).date()
    due = expiry_reminders_q.fetch_due_reminders(session=session, now=now, limit=BATCH)
    by_certificate: dict[int, list[expiry_reminders_q.DueReminder]] = {}
    for reminder in due:
        by_certificate.setdefault(reminder.certificate_id, []).append(reminder)
    sent = recipients = superseded = skipped = unreachable = 0
    for reminders in by_certificate.values():
        latest = min(reminders, key=lambda r: (r.days_before, -r.id))
        earlier = [r.id for r in reminders if r.id != latest.id]
        superseded += expiry_reminders_q.close_reminders(
            session=session, ids=earlier, state=ReminderState.SUPERSEDED, now=now
        )
        if latest.expires_on < today:
            skipped += expiry_reminders_q.close_reminders(
                session=session, ids=[latest.id], state=ReminderState.SKIPPED, now=now
            )
            continue
        chats, linked = firm_chats_q.fetch_firm_chats(session=session, tax_id=latest.tax_id)
        if not chats:
            state = ReminderState.SKIPPED if linked else ReminderState.UNREACHABLE
            closed = expiry_reminders_q.close_reminders(
                session=session, ids=[latest.id], state=state, now=now
            )
            if linked:
                skipped += closed
            else:
                unreachable += closed
            continue
        # claimed first: of two instances releasing at once (PostgreSQL), the second waits on
        # the row, finds it no longer planned and writes nothing
        if not expiry_reminders_q.close_reminders(
            session=session, ids=[latest.id], state=ReminderState.SENT, now=now
        ):
            continue
        title = f"expiry reminder {latest.days_before}d, certificate {latest.certificate_id}"
        notice_id = expiry_reminders_q.create_reminder_notice(
            session=session, reminder_id=latest.id, title=title, now=now
        )
        written = enqueue(session=session, notice_id=notice_id, recipients=chats, now=now)
        expiry_reminders_q.record_reminder_notice(
            session=session, reminder_id=latest.id, notice_id=notice_id, recipients=written
        )
        sent += 1
        recipients += written
    return Released(sent, recipients, superseded, skipped, unreachable)


@dataclass(frozen=True)
class ReminderText:
    """A reminder's message, rendered per language when it is sent (Telegram HTML)."""

    kind_zh: str
    kind_en: str
    number: str
    product: str
    expires_on: date
    days_before: int
    renewal_zh: str | None
    renewal_en: str | None

    def parts(self, language: str) -> list[Part]:
        """The one message of the reminder in `language`."""
        return [Part(self.text(language))]

    def text(self, language: str) -> str:
        zh = language == "zh-TW"
        renewal = self.renewal_zh if zh else self.renewal_en
        return t(
            language,
            "registry.reminder",
            kind=self.kind_zh if zh else self.kind_en,
            number=self.number,
            product=self.product,
            date=format_day(self.expires_on, language, roc=zh),
            days=self.days_before,
            todo=renewal or t(language, "registry.reminder_todo"),
        )


def reminder_text(session: Session, *, reminder_id: int) -> ReminderText | None:
    """The message of a reminder, or None when there is nothing to send any more (the
    reminder, or its certificate, is gone, or it was withdrawn)."""
    reminder = expiry_reminders_q.fetch_reminder(session=session, reminder_id=reminder_id)
    if reminder is None:
        return None
    certificate = certificates_q.fetch_certificate(
        session=session, certificate_id=reminder.certificate_id
    )
    if certificate is None or certificate.withdrawn:
        return None
    found = renewals_q.fetch_category_renewal(session=session, code=certificate.kind)
    return ReminderText(
        kind_zh=certificate.kind_zh,
        kind_en=certificate.kind_en,
        number=certificate.number,
        product=certificate.product,
        expires_on=reminder.expires_on,
        days_before=reminder.days_before,
        renewal_zh=found.text_zh if found else None,
        renewal_en=found.text_en if found else None,
    )


def reminder_wanted(session: Session, *, chat_id: int) -> bool:
    """Whether this chat still takes expiry reminders, asked just before each is sent: a chat
    that said /reminders off after a reminder was queued (or while it waits for a retry) is
    not sent it."""
    return not firm_chats_q.chat_reminders_off(session=session, chat_id=chat_id)


@dataclass(frozen=True)
class ReminderSetting:
    """A chat's expiry reminders: the 統一編號 its profile holds (None: nothing to remind of)
    and whether it turned them off."""

    tax_id: str | None
    off: bool


def reminder_setting(session: Session, *, person_id: int) -> ReminderSetting:
    """Whether this chat gets expiry reminders, and for which 統一編號."""
    tax_id = firm_chats_q.fetch_person_tax_id(session=session, person_id=person_id)
    return ReminderSetting(
        tax_id, firm_chats_q.reminders_off(session=session, person_id=person_id)
    )


def turn_reminders(
    session: Session, *, person_id: int, off: bool, now: datetime
) -> ReminderSetting:
    """Turn this chat's expiry reminders off or on (only a chat with a 統一編號 has any)."""
    tax_id = firm_chats_q.fetch_person_tax_id(session=session, person_id=person_id)
    if tax_id is None:
        return ReminderSetting(
            None, firm_chats_q.reminders_off(session=session, person_id=person_id)
        )
    firm_chats_q.set_reminders_off(session=session, person_id=person_id, off=off, now=now)
    return ReminderSetting(tax_id, off)
