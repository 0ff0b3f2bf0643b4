"""0015_intake: the petitioner's address and e-mail and how a reply was given are added in
place; a case filed before keeps its reporter, and going back drops only the new columns."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from storage.db import Database, alembic_config


def test_cases_filed_before_keep_their_reporter_both_ways(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        config = alembic_config(db.engine)
        command.upgrade(config, "0014")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO casefile (id, number, kind, channel, year, seq, state, subject,"
                    " description, received_at, received_on, due_on, extended_days, created_at)"
                    " VALUES (1, 'P2026-00001', 'product', 'phone', 2026, 1, 'received', 's',"
                    " 'd', CURRENT_TIMESTAMP, '2026-10-08', '2026-11-23', 0, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO casereporter (case_id, anonymous, contact_name)"
                    " VALUES (1, false, '林美惠')"
                )
            )
        command.upgrade(config, "head")
        with db.engine.connect() as conn:
            row = conn.execute(
                text(
                    "SELECT r.contact_name, r.contact_address, r.contact_email, c.reply_channel"
                    " FROM casereporter r JOIN casefile c ON c.id = r.case_id"
                )
            ).one()
        assert tuple(row) == ("林美惠", None, None, None)
        command.downgrade(config, "0014")
        with db.engine.connect() as conn:
            kept = conn.execute(text("SELECT contact_name FROM casereporter")).scalar_one()
            columns = [r[1] for r in conn.execute(text("PRAGMA table_info(casereporter)"))]
        assert kept == "林美惠" and "contact_address" not in columns
    finally:
        db.dispose()
