"""What the duties' tests share: a monthly lift check on the 8th, alone or beside the seeded
duties (which start on the day the test database was migrated)."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, update

from bot.duties.records import add_duty
from storage.models import Duty


def lift_check(
    session: Session,
    *,
    unit: str = "sec1",
    starts_on: date = date(2027, 1, 1),
    facility: bool = True,
    alone: bool = True,
) -> Duty:
    """A monthly duty on the 8th of `unit`; `alone`: every other duty is switched off."""
    if alone:
        session.exec(update(Duty).values(active=False, facility=False))  # type: ignore[call-overload]
    return add_duty(
        session,
        title_zh="電梯檢查",
        title_en="Lift check",
        unit=unit,
        every="monthly",
        day=8,
        month=None,
        on=[],
        starts_on=starts_on,
        facility=facility,
        by="test",
    )
