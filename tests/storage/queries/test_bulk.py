"""storage/queries/bulk.py on a real database."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from storage.db import Database
from storage.models import ExpiryReminder
from storage.queries.bulk import bulk_insert, chunks
from storage.queries.registry.expiry_reminders import REMINDER_TABLE
from tests.storage.queries.registry.rows import certificate

TZ = ZoneInfo("Asia/Taipei")


def test_chunks_cover_every_value_once_in_order() -> None:
    values = list(range(1203))
    parts = list(chunks(values))
    assert [len(p) for p in parts] == [500, 500, 203]
    assert [v for p in parts for v in p] == values
    assert list(chunks([])) == []


def test_many_rows_over_several_batches_are_inserted_with_their_values_intact(
    db: Database,
) -> None:
    count = 12_001  # more than two executemany batches of 5,000
    expiry = date(2027, 6, 30)

    def run(session: Session) -> None:
        cert = certificate(session, "R-1", expiry)
        rows = [
            {
                "certificate_id": cert,
                "expires_on": expiry,
                "days_before": days,
                "planned_on": expiry - timedelta(days=days % 400),
                "due_at": datetime.combine(
                    expiry - timedelta(days=days % 400), time(9, 30), tzinfo=TZ
                ),
                "state": "planned",
                "recipients": 0,
            }
            for days in range(count)
        ]
        bulk_insert(session=session, table=REMINDER_TABLE, rows=rows)
        bulk_insert(session=session, table=REMINDER_TABLE, rows=[])  # nothing, no error
        stored = session.exec(select(func.count()).select_from(ExpiryReminder)).one()
        assert stored == count
        last = session.exec(
            select(ExpiryReminder).where(col(ExpiryReminder.days_before) == count - 1)
        ).one()
        day = expiry - timedelta(days=(count - 1) % 400)
        assert (last.planned_on, last.due_at) == (day, datetime.combine(day, time(9, 30), TZ))
        assert last.due_at.utcoffset() is not None

    db.call(run)
