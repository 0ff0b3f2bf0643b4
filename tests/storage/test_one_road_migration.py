"""0011_one_road: the claims of the old reminder tables move into the outbox as sent rows
with the keys the reminder jobs now write, so no reminder claimed before the upgrade goes out
again after it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import text
from sqlmodel import select

from storage.db import Database, alembic_config
from storage.models import Delivery
from storage.queries.outbox.texts import enqueue_reminder

SENT = datetime(2026, 4, 28, 1, 0, tzinfo=UTC)


def test_claims_of_the_old_reminder_tables_become_sent_outbox_rows(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        config = alembic_config(db.engine)
        command.upgrade(config, "0010")
        with db.engine.begin() as conn:
            conn.execute(
                text("INSERT INTO casereminder (key, sent_at) VALUES (:k, :at)"),
                [
                    {"k": "half:7:2026-05-04:5001", "at": SENT},
                    {"k": "overdue:2026-04-28:5002", "at": SENT},
                ],
            )
            conn.execute(
                text(
                    "INSERT INTO courtesyreminder (kind, day, recipient, sent_at)"
                    " VALUES ('calls', '2026-04-28', 5001, :at)"
                ),
                {"at": SENT},
            )
            conn.execute(
                text(
                    "INSERT INTO assessmentreminder (key, sent_at) VALUES ('2027-H1:20:5002', :at)"
                ),
                {"at": SENT},
            )
        command.upgrade(config, "head")
        with db.transaction() as session:
            rows = session.exec(select(Delivery).order_by(Delivery.once_key)).all()
            assert [(r.once_key, r.chat_id, r.status) for r in rows] == [
                ("assessment_reminder:2027-H1:20:5002", 5002, "sent"),
                ("case_reminder:half:7:2026-05-04:5001", 5001, "sent"),
                ("case_reminder:overdue:2026-04-28:5002", 5002, "sent"),
                ("courtesy_reminder:calls:2026-04-28:5001", 5001, "sent"),
            ]
            assert all(r.sent_at == SENT for r in rows)
            for kind, key, chat in (
                ("courtesy_reminder", "calls:2026-04-28:5001", 5001),
                ("assessment_reminder", "2027-H1:20:5002", 5002),
                ("case_reminder", "overdue:2026-04-28:5002", 5002),
            ):
                again = enqueue_reminder(
                    session=session,
                    kind=kind,
                    key="reminders.overdue",
                    values={},
                    chat_id=chat,
                    once_key=key,
                    now=SENT,
                )
                assert again == 0, key
            tables = {
                name
                for (name,) in session.connection().execute(
                    text("SELECT name FROM sqlite_master WHERE type = 'table'")
                )
            }
        assert not tables & {"casereminder", "courtesyreminder", "assessmentreminder"}
    finally:
        db.dispose()
