"""bot/notices/overview.py: what /notices shows staff: the latest notices' progress, the
deliveries left unknown and, for the secretariat, the certificates expiring within 90 days
whose firm no chat holds."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session

from bot.notices.overview import UNREACHABLE_DAYS, staff_overview
from storage.db import Database
from storage.models.notices import DeliveryStatus
from tests.storage.queries.outbox.rows import delivery, released
from tests.storage.queries.registry.rows import FIRM, OTHER, certificate, chat

TODAY = date(2026, 1, 5)


def register(session: Session) -> None:
    """Certificates around the 90 days: one whose firm has a chat, OTHER's with none."""
    chat(session, 7001, FIRM)
    certificate(session, "R-chat", TODAY + timedelta(days=10), tax_id=FIRM)
    certificate(session, "R-last", TODAY + timedelta(days=UNREACHABLE_DAYS), tax_id=OTHER)
    certificate(session, "R-after", TODAY + timedelta(days=UNREACHABLE_DAYS + 1), tax_id=OTHER)
    certificate(session, "R-today", TODAY, tax_id=OTHER)
    certificate(session, "R-gone", TODAY - timedelta(days=1), tax_id=OTHER)


def test_the_secretariat_sees_the_certificates_no_chat_can_be_told_about_soonest_first(
    db: Database,
) -> None:
    db.call(lambda session: register(session))
    shown = db.call(staff_overview, limit=10, with_unreachable=True, today=TODAY)
    assert UNREACHABLE_DAYS == 90
    assert [(c.number, c.tax_id, c.expires_on) for c in shown.unreachable] == [
        ("R-today", OTHER, TODAY),
        ("R-last", OTHER, date(2026, 4, 5)),
    ]
    inspectors = db.call(staff_overview, limit=10, with_unreachable=False, today=TODAY)
    assert inspectors.unreachable == []


def test_the_latest_notices_progress_and_the_deliveries_left_unknown_are_counted(
    db: Database,
) -> None:
    def outbox(session: Session) -> tuple[int, int]:
        first = released(session, [8001, 8002], title="First")
        second = released(session, [8003, 8004, 8005], title="Second")
        for notice_id, chat_id in ((first, 8001), (second, 8003), (second, 8004)):
            row = delivery(session, notice_id, chat_id)
            row.status = DeliveryStatus.UNKNOWN.value
            session.add(row)
        return first, second

    first, second = db.call(outbox)
    shown = db.call(staff_overview, limit=10, with_unreachable=False, today=TODAY)
    assert shown.unknown == 3
    assert shown.delivery.paused is None
    assert [(n.notice_id, n.title) for n in shown.delivery.notices] == [
        (second, "Second"),
        (first, "First"),
    ]
    assert shown.delivery.notices[0].counts["unknown"] == 2
    assert shown.delivery.notices[0].counts["pending"] == 1
    newest = db.call(staff_overview, limit=1, with_unreachable=True, today=TODAY)
    assert [n.title for n in newest.delivery.notices] == ["Second"]
    assert newest.unreachable == [] and newest.unknown == 3
