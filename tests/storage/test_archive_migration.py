"""0013_archive: notices already sent to categories become public; one sent to a list of
統一編號, a reminder and a survey invitation stay private; no delivery row is lost."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from storage.db import Database, alembic_config


def test_existing_category_notices_become_public_and_nothing_else(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    try:
        config = alembic_config(db.engine)
        command.upgrade(config, "0012")
        with db.engine.begin() as conn:
            cns = conn.execute(text("SELECT id FROM category WHERE code = 'cns'")).scalar_one()
            for notice_id, kind in ((1, "notice"), (2, "notice"), (3, "reminder"), (4, "survey")):
                conn.execute(
                    text(
                        "INSERT INTO notice (id, title, body, state, recipients, kind, created_at)"
                        " VALUES (:id, 't', 'b', 'released', 1, :kind, CURRENT_TIMESTAMP)"
                    ),
                    {"id": notice_id, "kind": kind},
                )
            conn.execute(
                text(
                    "INSERT INTO noticecategory (notice_id, category_id) VALUES (1, :c), (2, :c)"
                ),
                {"c": cns},
            )
            conn.execute(text("INSERT INTO noticetaxid VALUES (2, '04595257')"))
            conn.execute(
                text(
                    "INSERT INTO delivery (notice_id, chat_id, status, attempts, next_attempt_at)"
                    " VALUES (1, 42, 'sent', 1, CURRENT_TIMESTAMP)"
                )
            )
        command.upgrade(config, "head")
        with db.engine.connect() as conn:
            public = conn.execute(text("SELECT id, public FROM notice ORDER BY id")).all()
            kept = conn.execute(text("SELECT count(*) FROM delivery")).scalar_one()
        assert [(i, bool(p)) for i, p in public] == [(1, True), (2, False), (3, False), (4, False)]
        assert kept == 1
        command.downgrade(config, "0012")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM delivery")).scalar_one() == 1
    finally:
        db.dispose()
