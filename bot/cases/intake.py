"""/intake: a case the branch received by phone, letter, e-mail, walk-in or the website, logged
by staff in chat: the draft kept between steps, its checks, and `intake_case`, which numbers and
stores it like a case filed in chat (`filing.file_case`), tells the secretariat so it routes it
to a unit, and writes its audit row, in one transaction.

The petitioner has no chat: who they said they are (name, phone, address, e-mail, any of them
missing, or anonymous) is kept on the case's reporter row, visible to the secretariat and
admins only, and tells staff how the final reply can be given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.cases.actions import Refused
from bot.cases.filing import Draft, clean_line, file_case, tell_secretariat, visible_length
from bot.cases.news import CaseNews
from kernel.clock import local_date
from kernel.dates import parse_day
from kernel.errors import UserError
from storage.models.base import STAFF_ROLES
from storage.models.cases import CaseKind, Channel
from storage.queries.audit import record_audit
from storage.queries.people import PersonView

INTAKE_ROLES = STAFF_ROLES
"""Who logs a case received elsewhere: the secretariat, inspectors and admins."""
INTAKE_CHANNELS = (Channel.PHONE, Channel.LETTER, Channel.EMAIL, Channel.WALK_IN, Channel.WEB)
INTAKE_KINDS = (CaseKind.PRODUCT, CaseKind.SERVICE)
"""Monitor reports come from appointed monitors in chat, never through staff."""
DAYS_BACK = 366
"""A received date older than a year is a typing mistake, not a case to log now."""
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def check_received_on(text: str, today: date) -> date:
    """A typed received date (2026-12-08 or 115/12/08): not after today, within a year."""
    value = clean_line(text)
    day = parse_day(value)
    if day is None:
        raise UserError("intake.bad_date", value=value[:20] or "—")
    if day > today:
        raise UserError("intake.future_date", value=value[:20])
    if (today - day).days > DAYS_BACK:
        raise UserError("intake.old_date", value=value[:20])
    return day


def check_name(text: str) -> str:
    """The petitioner's name as given (something visible, at most 100 characters)."""
    name = clean_line(text)[:100]
    if not visible_length(name):
        raise UserError("intake.empty")
    return name


def check_phone(text: str) -> str:
    """A phone number as given: at least six digits, only digits and + - ( ) # and blanks."""
    phone = clean_line(text)
    digits = sum(ch.isdigit() for ch in phone)
    if digits < 6 or len(phone) > 40 or any(not (c.isdigit() or c in "+-()# ") for c in phone):
        raise UserError("intake.bad_phone", value=phone[:40] or "—")
    return phone


def check_address(text: str) -> str:
    """A postal address as given (something visible, at most 300 characters)."""
    address = clean_line(text)[:300]
    if visible_length(address) < 4:
        raise UserError("intake.bad_address")
    return address


def check_email(text: str) -> str:
    """An e-mail address as given: one @, a domain with a dot, no blanks."""
    email = clean_line(text)
    if len(email) > 254 or not _EMAIL.fullmatch(email):
        raise UserError("intake.bad_email", value=email[:60] or "—")
    return email


@dataclass
class IntakeDraft(Draft):
    """A case being logged; kept in user data between steps (JSON-friendly)."""

    channel: str = ""
    received_on: str = ""
    """ISO date; empty until the date step (today by default)."""

    def to_dict(self) -> dict[str, object]:
        data = super().to_dict()
        data.update(channel=self.channel, received_on=self.received_on)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, object] | None) -> IntakeDraft:
        data = data or {}
        base = Draft.from_dict(data)
        channel, received = data.get("channel"), data.get("received_on")
        return cls(
            **base.to_dict(),  # type: ignore[arg-type]
            channel=channel if isinstance(channel, str) else "",
            received_on=received if isinstance(received, str) else "",
        )

    def given(self) -> Draft:
        """The filing draft `file_case` stores."""
        return Draft.from_dict(super().to_dict())


@dataclass(frozen=True)
class Logged:
    """A case logged: its number, dates, and the secretariat's news (written to the outbox)."""

    number: str
    received_on: date
    due_on: date
    notices: list[CaseNews]


def _received_at(received_on: date, now: datetime, tz: ZoneInfo) -> datetime:
    """Now when received today; else 09:00 on that day, as `case import` records it."""
    if local_date(now, tz) == received_on:
        return now
    return datetime.combine(received_on, time(9, 0), tzinfo=tz)


def intake_case(
    session: Session,
    *,
    draft: IntakeDraft,
    actor: PersonView,
    now: datetime,
    tz: ZoneInfo,
    reply_days: int,
    counting: str,
) -> Logged | Refused:
    """/intake's Save: number and store the case with its deadline counted from the received
    date, tell the secretariat (outbox), audit `case.intake`; a person without a staff role is
    refused, that refusal audited too."""
    if not actor.has_any(INTAKE_ROLES):
        record_audit(
            session=session,
            actor_telegram_id=actor.telegram_id,
            action="case.intake",
            allowed=False,
            detail="role",
        )
        return Refused(UserError("access.denied"))
    try:
        channel = Channel(draft.channel)
        if channel not in INTAKE_CHANNELS:
            raise ValueError
    except ValueError:
        raise UserError("intake.channel_unknown") from None
    if draft.kind not in {k.value for k in INTAKE_KINDS}:
        raise UserError("report.kind_unknown")
    today = local_date(now, tz)
    received_on = check_received_on(draft.received_on, today) if draft.received_on else today
    filed = file_case(
        session=session,
        draft=draft.given(),
        person_id=None,
        roles=actor.roles,
        language=None,
        received_at=_received_at(received_on, now, tz),
        tz=tz,
        reply_days=reply_days,
        counting=counting,
        channel=channel,
    )
    notices = tell_secretariat(session, number=filed.number, now=now)
    record_audit(
        session=session,
        actor_telegram_id=actor.telegram_id,
        action="case.intake",
        target=filed.number,
        detail=channel.value,
    )
    return Logged(
        number=filed.number, received_on=received_on, due_on=filed.due_on, notices=notices
    )
