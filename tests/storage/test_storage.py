"""Migrations create exactly the models; SQLite runs in WAL with foreign keys; times stay aware."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel, select

import storage.models  # noqa: F401
from storage.db import Database
from storage.models import AuditEntry, Category, Unit
from storage.seeds import CATEGORIES, UNITS


def test_migrations_match_the_models_exactly(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_the_first_migration_seeds_units_and_categories(db: Database) -> None:
    units = db.call(lambda session: session.exec(select(Unit.code)).all())
    codes = db.call(lambda session: session.exec(select(Category.code)).all())
    assert sorted(units) == sorted(code for code, _, _ in UNITS)
    assert sorted(codes) == sorted(code for code, _, _ in CATEGORIES)


def test_sqlite_uses_wal_and_foreign_keys(db: Database) -> None:
    if db.backend != "sqlite":
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_datetimes_come_back_timezone_aware_in_utc(db: Database) -> None:
    taipei = timezone(timedelta(hours=8))
    written = datetime(2026, 11, 26, 9, 30, tzinfo=taipei)
    db.call(lambda session: session.add(AuditEntry(at=written, action="test")))
    read = db.call(lambda session: session.exec(select(AuditEntry.at)).one())
    assert read == written
    assert read.tzinfo is not None and read.utcoffset() == timedelta(0)


def test_a_naive_datetime_is_refused(db: Database) -> None:
    naive = datetime(2026, 1, 1)  # noqa: DTZ001  (the point of the test)
    with pytest.raises(Exception, match="naive"):
        db.call(lambda session: session.add(AuditEntry(at=naive, action="x")) or session.flush())
    assert datetime.now(UTC)  # the database is still usable afterwards
    assert db.call(lambda session: session.exec(select(AuditEntry)).all()) == []


def test_the_migration_history_has_a_single_head() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from storage.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_0011_hashes_the_survey_rows_of_people_forgotten_before_it(db: Database) -> None:
    # Before 0011 /forget left the chat id on a survey's delivery row; the revision finds the
    # rows whose person is gone and keeps only the keyed hash, and going down and up again
    # leaves every other row as it was.
    from alembic import command
    from sqlalchemy import text

    from storage.db import alembic_config

    config = alembic_config(db.engine)
    command.downgrade(config, "0010")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO person (telegram_id, first_name, blocked, created_at)"
                " VALUES (8802, 'kept', false, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO notice (id, title, body, state, kind, ref_id, recipients, created_at)"
                " VALUES (1, 'T', '', 'released', 'survey', 1, 3, CURRENT_TIMESTAMP),"
                " (2, 'N', 'B', 'released', 'notice', NULL, 1, CURRENT_TIMESTAMP)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO delivery (notice_id, person_id, chat_id, status, attempts,"
                " parts_sent, next_attempt_at) VALUES"
                " (1, NULL, 8801, 'sent', 1, 1, CURRENT_TIMESTAMP),"
                " (1, (SELECT id FROM person WHERE telegram_id = 8802), 8802, 'sent', 1, 1,"
                " CURRENT_TIMESTAMP),"
                " (2, NULL, 8801, 'sent', 1, 1, CURRENT_TIMESTAMP)"
            )
        )
    command.upgrade(config, "heads")
    with db.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT notice_id, chat_id, chat_hash FROM delivery ORDER BY notice_id, id")
        ).all()
    assert [(n, c, h is not None) for n, c, h in rows] == [
        (1, None, True),  # the forgotten person's invitation
        (1, 8802, False),  # a person still here
        (2, 8801, False),  # a notice's proof of delivery stays
    ]
    assert len(rows[0][2]) == 64 and "8801" not in rows[0][2]
