"""What the survey tests build: a case filed by a reporter, assigned to a unit, replied to and
closed on a given day, on time or late, so that its follow-up question can be asked."""

from __future__ import annotations

from datetime import date, timedelta

from bot.cases.actions import Action
from storage.db import Database
from storage.models import Role
from tests.factories import do, file_on, person


def close(db: Database, reporter_id: int, unit: str, closed_on: date, *, late: bool) -> None:
    secretary = person(db, 6001, Role.SECRETARIAT)
    reporter = person(db, reporter_id)
    filed = file_on(
        db, closed_on - timedelta(days=60 if late else 7), reporter=reporter, reply_days=30
    )
    do(db, filed.number, Action.ASSIGN, secretary, closed_on - timedelta(days=5), unit=unit)
    do(db, filed.number, Action.REPLY, secretary, closed_on, text="已處理。")
    do(db, filed.number, Action.CLOSE, secretary, closed_on)
