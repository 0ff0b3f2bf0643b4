"""storage/queries/audit.py on a real database."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session

from storage.db import Database
from storage.queries.audit import fetch_audit, record_audit

AT = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def test_audit_rows_are_read_back_newest_first_with_every_field(db: Database) -> None:
    def run(session: Session) -> None:
        record_audit(session=session, actor_telegram_id=11, action="case.view", at=AT)
        record_audit(
            session=session,
            actor_telegram_id=None,
            action="notice.publish",
            target="N-1",
            allowed=False,
            detail="refused",
            at=AT,
        )
        session.flush()
        newest, oldest = fetch_audit(session=session)
        assert (newest.actor_telegram_id, newest.action, newest.target) == (
            None,
            "notice.publish",
            "N-1",
        )
        assert (newest.allowed, newest.detail, newest.at) == (False, "refused", AT)
        assert (oldest.actor_telegram_id, oldest.action, oldest.allowed) == (11, "case.view", True)
        assert [e.action for e in fetch_audit(session=session, limit=1)] == ["notice.publish"]

    db.call(run)


def test_an_audit_row_without_a_time_is_stamped_now(db: Database) -> None:
    def run(session: Session) -> None:
        before = datetime.now(UTC)
        record_audit(session=session, actor_telegram_id=12, action="role.revoke")
        session.flush()
        [entry] = fetch_audit(session=session)
        assert entry.at >= before.replace(microsecond=0)

    db.call(run)
