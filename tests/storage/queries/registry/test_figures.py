"""storage/queries/registry/figures.py on a real database."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from storage.db import Database
from storage.models import Delivery, ExpiryReminder, Notice
from storage.models.notices import NoticeKind
from storage.models.registry import ReminderState
from storage.queries.registry.figures import (
    count_reminders_unreachable,
    fetch_notice_figures,
    fetch_reminders_sent_by_kind,
)
from tests.storage.queries.registry.rows import NOW, TZ, certificate, chat

START = datetime(2026, 1, 1, tzinfo=TZ)
END = datetime(2026, 2, 1, tzinfo=TZ)


def released(session: Session, kind: NoticeKind, at: datetime, recipients: int) -> int:
    row = Notice(
        title="t", body="", kind=kind.value, released_at=at, recipients=recipients, created_at=at
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    return row.id


def test_notice_figures_count_the_periods_notices_of_a_kind_and_their_rows_by_status(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        people = [chat(session, 801 + i, None) for i in range(3)]
        inside = released(session, NoticeKind.NOTICE, NOW, 2)
        released(session, NoticeKind.NOTICE, END, 5)  # the next month
        released(session, NoticeKind.REMINDER, NOW, 7)  # another kind
        for i, status in enumerate(("sent", "sent", "failed")):
            session.add(
                Delivery(
                    notice_id=inside,
                    person_id=people[i],
                    chat_id=801 + i,
                    status=status,
                    next_attempt_at=NOW,
                )
            )
        session.flush()
        figures = fetch_notice_figures(
            session=session, start=START, end=END, kind=NoticeKind.NOTICE.value
        )
        assert (figures.notices, figures.recipients) == (1, 2)
        assert figures.counts == {"sent": 2, "failed": 1}

    db.call(run)


def test_reminders_closed_in_the_period_are_counted_by_kind_and_unreachable(
    db: Database,
) -> None:
    def run(session: Session) -> None:
        rpc = certificate(session, "R-1", date(2026, 4, 30))
        cns = certificate(session, "C-1", date(2026, 4, 30), code="cns")
        day = date(2026, 1, 30)
        for cert, days, state, recipients, closed in (
            (rpc, 90, ReminderState.SENT, 2, NOW),
            (rpc, 30, ReminderState.SENT, 0, NOW),
            (cns, 90, ReminderState.UNREACHABLE, 0, NOW),
            (cns, 30, ReminderState.SENT, 1, END + timedelta(days=1)),  # after the period
        ):
            session.add(
                ExpiryReminder(
                    certificate_id=cert,
                    expires_on=date(2026, 4, 30),
                    days_before=days,
                    planned_on=day,
                    due_at=datetime.combine(day, time(9, 30), tzinfo=TZ),
                    state=state.value,
                    closed_at=closed,
                    recipients=recipients,
                )
            )
        session.flush()
        assert fetch_reminders_sent_by_kind(session=session, start=START, end=END) == [
            ("rpc", 2, 2)
        ]
        assert count_reminders_unreachable(session=session, start=START, end=END) == 1

    db.call(run)
