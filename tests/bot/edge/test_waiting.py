"""A wait for a text: opened with a payload and a lapse time, read back from the JSON that
user_data keeps (also after a restart), told as lapsed when past its time or unreadable, and
closed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any, cast

import pytest
from telegram import Update

from bot.edge import waiting
from bot.edge.context import BotApplication, BotContext
from bot.edge.waiting import Lapsed, Wait, close_wait, open_wait, read_wait
from kernel.i18n import t

NOW = datetime(2026, 11, 5, 2, 30, tzinfo=UTC)
KEY = "case_pending_action"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[datetime]:
    """The wait's clock, set by the test: `clock[0]` is now."""
    now = [NOW]
    monkeypatch.setattr(waiting, "utcnow", lambda: now[0])
    return now


def test_an_open_wait_is_read_back_from_its_json_until_it_lapses(clock: list[datetime]) -> None:
    user_data: dict[str, Any] = {}
    opened = open_wait(user_data, KEY, {"action": "note", "number": "P2026-00001"}, minutes=15)
    assert opened == Wait(
        KEY, {"action": "note", "number": "P2026-00001"}, NOW + timedelta(minutes=15)
    )
    restored = json.loads(json.dumps(user_data))  # as the persistence stores and loads it
    assert read_wait(restored, KEY) == opened
    assert read_wait(restored, KEY) == opened  # reading leaves it open
    clock[0] = NOW + timedelta(minutes=15)
    assert read_wait(restored, KEY) == opened  # lapses after, not at, its time
    clock[0] = NOW + timedelta(minutes=15, seconds=1)
    assert read_wait(restored, KEY) == Lapsed(KEY, {"action": "note", "number": "P2026-00001"})


def test_closing_a_wait_ends_it_and_tells_what_it_was(clock: list[datetime]) -> None:
    user_data: dict[str, Any] = {"other": 1}
    opened = open_wait(user_data, KEY, {"id": 3, "field": "cause"}, minutes=15)
    assert close_wait(user_data, KEY) == opened
    assert user_data == {"other": 1}
    assert read_wait(user_data, KEY) is None and close_wait(user_data, KEY) is None
    open_wait(user_data, KEY, {"number": "P2026-00001"}, minutes=60)
    clock[0] = NOW + timedelta(hours=2)
    assert close_wait(user_data, KEY) == Lapsed(KEY, {"number": "P2026-00001"})
    assert KEY not in user_data


def test_a_new_wait_replaces_the_one_before(clock: list[datetime]) -> None:
    user_data: dict[str, Any] = {}
    open_wait(user_data, KEY, {"action": "note", "number": "P2026-00001"}, minutes=15)
    clock[0] = NOW + timedelta(minutes=10)
    second = open_wait(user_data, KEY, {"action": "reply", "number": "P2026-00002"}, minutes=15)
    clock[0] = NOW + timedelta(minutes=20)
    assert read_wait(user_data, KEY) == second


@pytest.mark.parametrize(
    "stored",
    [
        ["note", "P2026-00001", 1_800_000_000],  # a PendingAction of an earlier release
        ["note", "P2026-00001"],
        {"action": "note", "number": "P2026-00001", "lapses_at": 1_800_000_000},
        {"number": "P2026-00001", "lapses_at": 1_800_000_000},  # an InfoWait
        ["P2026-00001", 1_800_000_000],
        "P2026-00001",
        {"id": 3, "field": "cause"},  # a FieldWait
        None,
        {"payload": {"number": "P2026-00001"}},
        {"payload": {"number": "P2026-00001"}, "lapses_at": "soon"},
        {"payload": {"number": "P2026-00001"}, "lapses_at": True},
        {"payload": {"number": "P2026-00001"}, "lapses_at": float("nan")},
        {"payload": {"number": {"nested": 1}}, "lapses_at": 1_800_000_000},
        {"payload": ["P2026-00001"], "lapses_at": 1_800_000_000},
    ],
)
def test_a_wait_in_any_other_shape_reads_as_lapsed_without_a_payload(
    clock: list[datetime], stored: object
) -> None:
    assert read_wait({KEY: stored}, KEY) == Lapsed(KEY, None)


def test_the_answer_to_an_unreadable_wait_says_nothing_was_recorded_in_both_languages() -> None:
    assert "not recorded" in waiting.lapsed_text("en")
    assert "未被記錄" in waiting.lapsed_text("zh-TW")
    assert waiting.lapsed_text("zh-TW") == t("zh-TW", waiting.LAPSED_KEY)


async def test_a_command_that_opens_a_wait_does_not_end_it_and_the_next_command_does(
    clock: list[datetime],
) -> None:
    """`/registry` opens a wait for the file; the handler that ends every wait on a command
    runs after it for the same update and must leave that wait, then end it on the next."""
    user_data: dict[str, Any] = {}
    opened = open_wait(user_data, "imports", {"kind": "registry"}, minutes=30, update_id=41)
    assert read_wait(json.loads(json.dumps(user_data)), "imports") == opened
    waiting.document_for(cast(BotApplication, SimpleNamespace(user_data={})), "imports")
    context = cast(BotContext, SimpleNamespace(user_data=user_data))
    await waiting.end_waits_on_command(cast(Update, SimpleNamespace(update_id=41)), context)
    assert read_wait(user_data, "imports") == opened
    await waiting.end_waits_on_command(cast(Update, SimpleNamespace(update_id=42)), context)
    assert read_wait(user_data, "imports") is None
