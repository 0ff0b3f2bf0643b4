"""Training sessions (一(一)3 服務一致及正確): record one (the same checks from chat and the
command line, audited as training.add) and list a year's. The progress against the year's
target (26 sessions by the plan unless `target set --training` says otherwise) is
`storage.queries.duties.fetch_training_progress`, which the period pack reads too."""

from __future__ import annotations

import math
from datetime import date

from sqlmodel import Session

from kernel.errors import UserError
from storage.models import Audience, TrainingSession, Unit
from storage.queries.audit import record_audit
from storage.queries.duties import fetch_training, save_training
from storage.queries.people import fetch_unit_by_code, fetch_units

TITLE_LIMIT = 200
MAX_HOURS = 100.0
MAX_ATTENDEES = 10_000


def parse_hours(raw: str) -> float:
    """Hours as typed: 2, 1.5 (more than 0, at most 100, halves at finest)."""
    try:
        hours = float(raw.strip())
    except ValueError:
        raise UserError("training.bad_hours", value=raw) from None
    if not math.isfinite(hours) or not 0 < hours <= MAX_HOURS or hours * 2 != int(hours * 2):
        raise UserError("training.bad_hours", value=raw)
    return hours


def parse_attendees(raw: str) -> int:
    text = raw.strip()
    if not text.isdigit() or not 0 < int(text) <= MAX_ATTENDEES:
        raise UserError("training.bad_attendees", value=raw)
    return int(text)


def check_title(raw: str) -> str:
    title = " ".join(raw.split())
    if not title or len(title) > TITLE_LIMIT:
        raise UserError("training.bad_title", limit=TITLE_LIMIT)
    return title


def add_training(
    session: Session,
    *,
    held_on: date,
    unit: str,
    title: str,
    hours: float,
    attendees: int,
    audience: str,
    today: date,
    by: str,
    actor_telegram_id: int | None = None,
) -> tuple[TrainingSession, Unit]:
    """Record a session held (not after today, within two years), checked."""
    found = fetch_unit_by_code(session=session, code=unit.strip())
    if found is None or not found.active:
        raise UserError("training.bad_unit", unit=unit)
    if held_on > today or held_on.year < today.year - 2:
        raise UserError("training.bad_day", value=held_on)
    try:
        chosen = Audience(audience)
    except ValueError:
        raise UserError("training.bad_audience", value=audience) from None
    hours = parse_hours(str(hours))
    attendees = parse_attendees(str(attendees))
    assert found.id is not None
    row = save_training(
        session=session,
        row=TrainingSession(
            held_on=held_on,
            unit_id=found.id,
            title=check_title(title),
            hours=hours,
            attendees=attendees,
            audience=chosen.value,
            recorded_by=by[:128],
        ),
    )
    record_audit(
        session=session,
        actor_telegram_id=actor_telegram_id,
        action="training.add",
        target=str(row.id),
        detail=f"{by[:64]}: {held_on.isoformat()} {found.code} {hours}h {attendees}",
    )
    return row, found


def list_training(session: Session, *, year: int) -> list[tuple[TrainingSession, Unit]]:
    if not 2000 <= year <= 2999:
        raise UserError("targets.bad_year", year=year)
    return fetch_training(session=session, first=date(year, 1, 1), last=date(year, 12, 31))


def training_units(session: Session) -> list[Unit]:
    """The units a session may be recorded for, in the directory's order."""
    return fetch_units(session=session)
