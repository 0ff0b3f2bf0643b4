"""A database-backed python-telegram-bot persistence: conversations and user data survive a
restart (the `/report` conversation is `persistent=True`).

Stored as JSON in the `botstate` table, namespace `conv:<name>` or `user_data`. Values that are
not JSON (another feature's objects in user data) are left out with a warning, never pickled.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from copy import deepcopy
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select
from telegram.ext import BasePersistence, PersistenceInput
from telegram.ext._utils.types import CDCData, ConversationDict, ConversationKey

from storage.db import Database
from storage.models.persistence import BotState

logger = logging.getLogger(__name__)

USER_DATA = "user_data"
UPDATE_INTERVAL = 2.0


def _dump(value: Any) -> bytes:
    if isinstance(value, dict):
        kept = {}
        for key, item in value.items():
            try:
                json.dumps(item)
            except (TypeError, ValueError):
                logger.warning("user data key %r is not JSON and is not persisted", key)
                continue
            kept[key] = item
        value = kept
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def _load_rows(*, session: Session, namespace_prefix: str) -> list[tuple[str, str, bytes]]:
    rows = session.exec(
        select(BotState.namespace, BotState.key, BotState.value).where(
            col(BotState.namespace).startswith(namespace_prefix)
        )
    ).all()
    return [(n, k, bytes(v)) for n, k, v in rows]


def _put(*, session: Session, namespace: str, key: str, value: bytes | None) -> None:
    session.execute(
        delete(BotState).where(col(BotState.namespace) == namespace, col(BotState.key) == key)
    )
    if value is not None:
        session.add(BotState(namespace=namespace, key=key, value=value))


class DatabasePersistence(BasePersistence[dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """Conversation states and user data in the database; chat and bot data are not kept."""

    def __init__(self, db: Database, *, update_interval: float = UPDATE_INTERVAL) -> None:
        super().__init__(
            store_data=PersistenceInput(
                bot_data=False, chat_data=False, user_data=True, callback_data=False
            ),
            update_interval=update_interval,
        )
        self.db = db

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        rows = await self.db.run(_load_rows, namespace_prefix=USER_DATA)
        data: dict[int, dict[Any, Any]] = defaultdict(dict)
        for _, key, value in rows:
            data[int(key)] = json.loads(value)
        return data

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        await self.db.run(
            _put,
            namespace=USER_DATA,
            key=str(user_id),
            value=_dump(deepcopy(data)) if data else None,
        )

    async def drop_user_data(self, user_id: int) -> None:
        await self.db.run(_put, namespace=USER_DATA, key=str(user_id), value=None)

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """User data is read once at start; the in-memory copy is current afterwards."""

    async def get_conversations(self, name: str) -> ConversationDict:
        rows = await self.db.run(_load_rows, namespace_prefix=f"conv:{name}")
        found: ConversationDict = {}
        for namespace, key, value in rows:
            if namespace != f"conv:{name}":
                continue
            found[tuple(json.loads(key))] = json.loads(value)
        return found

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        await self.db.run(
            _put,
            namespace=f"conv:{name}",
            key=json.dumps(list(key)),
            value=None if new_state is None else json.dumps(new_state).encode("utf-8"),
        )

    # Chat data, bot data and callback data are not stored (store_data says so).
    async def get_chat_data(self) -> dict[int, dict[Any, Any]]:
        return {}

    async def update_chat_data(self, chat_id: int, data: dict[Any, Any]) -> None:
        return None

    async def drop_chat_data(self, chat_id: int) -> None:
        return None

    async def refresh_chat_data(self, chat_id: int, chat_data: dict[Any, Any]) -> None:
        return None

    async def get_bot_data(self) -> dict[Any, Any]:
        return {}

    async def update_bot_data(self, data: dict[Any, Any]) -> None:
        return None

    async def refresh_bot_data(self, bot_data: dict[Any, Any]) -> None:
        return None

    async def get_callback_data(self) -> CDCData | None:
        return None

    async def update_callback_data(self, data: CDCData) -> None:
        return None

    async def flush(self) -> None:
        """Every update is written when it happens; nothing is buffered here."""
