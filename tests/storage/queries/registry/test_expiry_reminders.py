"""storage/queries/registry/expiry_reminders.py on a real database."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import Session, select

from storage.db import Database
from storage.models import Notice
from storage.models.notices import NoticeKind
from storage.models.registry import ReminderState
from storage.queries.registry.expiry_reminders import (
    cancel_planned_reminders,
    close_reminders,
    create_reminder_notice,
    fetch_due_reminders,
    fetch_reminder,
    fetch_reminder_keys,
    fetch_reminders_of,
    insert_reminders,
    record_reminder_notice,
    replan_reminders,
)
from tests.storage.queries.registry.rows import FIRM, NOW, TZ, certificate

EXPIRY = date(2026, 4, 30)


def plan(session: Session, certificate_id: int, *days: int) -> dict[int, int]:
    """Reminders `days` before EXPIRY, due at 09:30 on their day; their ids by day count."""
    insert_reminders(
        session=session,
        rows=[
            {
                "certificate_id": certificate_id,
                "expires_on": EXPIRY,
                "days_before": d,
                "planned_on": EXPIRY - timedelta(days=d),
                "due_at": datetime.combine(EXPIRY - timedelta(days=d), time(9, 30), tzinfo=TZ),
                "state": ReminderState.PLANNED.value,
                "recipients": 0,
            }
            for d in days
        ],
    )
    keys = fetch_reminder_keys(session=session, certificate_ids=[certificate_id])
    return {d: keys[(certificate_id, EXPIRY, d)][0] for d in days}


def test_planned_reminders_are_due_by_their_time_oldest_first(db: Database) -> None:
    def run(session: Session) -> None:
        cert = certificate(session, "R-1", EXPIRY)
        ids = plan(session, cert, 90, 30, 7)
        keys = fetch_reminder_keys(session=session, certificate_ids=[cert])
        assert {k: v[1] for k, v in keys.items()} == {
            (cert, EXPIRY, d): ReminderState.PLANNED.value for d in (90, 30, 7)
        }
        on_day_30 = datetime.combine(EXPIRY - timedelta(days=30), time(10), tzinfo=TZ)
        due = fetch_due_reminders(session=session, now=on_day_30, limit=10)
        assert [(r.id, r.days_before, r.tax_id) for r in due] == [
            (ids[90], 90, FIRM),
            (ids[30], 30, FIRM),
        ]
        assert len(fetch_due_reminders(session=session, now=on_day_30, limit=1)) == 1

    db.call(run)


def test_only_planned_reminders_close_and_a_cancelled_one_can_be_planned_again(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        cert = certificate(session, "R-1", EXPIRY)
        ids = plan(session, cert, 90, 30)
        assert (
            close_reminders(session=session, ids=[ids[90]], state=ReminderState.SENT, now=NOW) == 1
        )
        assert (
            close_reminders(session=session, ids=[ids[90]], state=ReminderState.SKIPPED, now=NOW)
            == 0
        )
        assert cancel_planned_reminders(session=session, certificate_ids=[cert], now=NOW) == 1
        views = fetch_reminders_of(session=session, certificate_ids=[cert])[cert]
        assert [(v.days_before, v.state) for v in views] == [
            (90, ReminderState.SENT.value),
            (30, ReminderState.CANCELLED.value),
        ]
        day = date(2026, 4, 1)
        replan_reminders(
            session=session,
            rows=[
                {
                    "row_id": ids[30],
                    "new_planned_on": day,
                    "new_due_at": datetime.combine(day, time(9, 30), tzinfo=TZ),
                }
            ],
        )
        again = fetch_reminder(session=session, reminder_id=ids[30])
        assert again is not None
        assert (again.state, again.planned_on, again.closed_at) == (
            ReminderState.PLANNED.value,
            day,
            None,
        )

    db.call(run)


def test_a_sent_reminder_records_its_outbox_notice_and_recipients(db: Database) -> None:
    def run(session: Session) -> None:
        cert = certificate(session, "R-1", EXPIRY)
        reminder_id = plan(session, cert, 30)[30]
        notice_id = create_reminder_notice(
            session=session, reminder_id=reminder_id, title="到期提醒" * 60, now=NOW
        )
        notice = session.exec(select(Notice).where(Notice.id == notice_id)).one()
        assert (notice.kind, notice.ref_id, len(notice.title)) == (
            NoticeKind.REMINDER.value,
            reminder_id,
            200,
        )
        record_reminder_notice(
            session=session, reminder_id=reminder_id, notice_id=notice_id, recipients=3
        )
        stored = fetch_reminder(session=session, reminder_id=reminder_id)
        assert stored is not None
        assert (stored.notice_id, stored.recipients) == (notice_id, 3)

    db.call(run)
