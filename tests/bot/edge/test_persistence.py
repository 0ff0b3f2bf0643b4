"""The database-backed persistence keeps conversations and user data across instances."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from bot.edge.persistence import DatabasePersistence
from storage.db import Database
from tests.statements import recorded_statements, writes


async def test_conversation_states_and_user_data_come_back_in_a_new_instance(
    db: Database,
) -> None:
    first = DatabasePersistence(db)
    await first.update_conversation("report", (42, 42), 3)
    await first.update_conversation("report", (43, 43), 1)
    await first.update_conversation("other", (42, 42), 7)
    await first.update_user_data(
        42, {"report_draft": {"kind": "product", "files": [["photo", "x", ""]]}}
    )

    again = DatabasePersistence(Database(db.url))
    assert await again.get_conversations("report") == {(42, 42): 3, (43, 43): 1}
    assert await again.get_conversations("other") == {(42, 42): 7}
    users = await again.get_user_data()
    assert users[42] == {"report_draft": {"kind": "product", "files": [["photo", "x", ""]]}}

    await again.update_conversation("report", (42, 42), None)
    await again.drop_user_data(42)
    assert await first.get_conversations("report") == {(43, 43): 1}
    assert 42 not in await first.get_user_data()
    again.db.dispose()


async def test_values_that_are_not_json_are_left_out_with_a_warning(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    persistence = DatabasePersistence(db)
    with caplog.at_level(logging.WARNING, logger="bot.edge.persistence"):
        await persistence.update_user_data(7, {"kept": [1, 2], "dropped": date(2026, 1, 1)})
    assert (await persistence.get_user_data())[7] == {"kept": [1, 2]}
    assert "dropped" in caplog.text


async def test_user_data_and_a_conversation_state_are_written_only_when_they_change(
    db: Database,
) -> None:
    await DatabasePersistence(db).update_user_data(42, {"draft": "a"})
    persistence = DatabasePersistence(db)
    assert (await persistence.get_user_data())[42] == {"draft": "a"}
    assert await persistence.get_conversations("report") == {}
    with recorded_statements(db.engine) as seen:
        await persistence.update_user_data(42, {"draft": "a"})  # as loaded
        await persistence.update_user_data(43, {})  # nothing, and nothing stored
        await persistence.update_conversation("report", (43, 43), None)  # no state, none stored
    assert seen == []

    with recorded_statements(db.engine) as seen:
        await persistence.update_user_data(42, {"draft": "b"})
        await persistence.update_conversation("report", (43, 43), 2)
    assert len(writes(seen)) >= 2
    with recorded_statements(db.engine) as seen:
        await persistence.update_user_data(42, {"draft": "b"})  # as stored
        await persistence.update_conversation("report", (43, 43), 2)
    assert seen == []

    again = DatabasePersistence(Database(db.url))
    assert (await again.get_user_data())[42] == {"draft": "b"}
    assert await again.get_conversations("report") == {(43, 43): 2}
    again.db.dispose()
