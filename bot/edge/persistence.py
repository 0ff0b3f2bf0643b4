"""A database-backed python-telegram-bot persistence: conversations and user data survive a
restart (the `/report` conversation is `persistent=True`).

Stored as JSON in the `botstate` table, namespace `conv:<name>` or `user_data`. Values that are
not JSON (another feature's objects in user data) are left out with a warning, never pickled.

python-telegram-bot hands over the user data of every user who sent an update, changed or not;
what was last loaded or stored is remembered, and only a value that differs from it is written
(a `/subscribe` press changes no state, so it writes nothing here).
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


def _load_rows(session: Session, *, namespace_prefix: str) -> list[tuple[str, str, bytes]]:
    rows = session.exec(
        select(BotState.namespace, BotState.key, BotState.value).where(
            col(BotState.namespace).startswith(namespace_prefix)
        )
    ).all()
    return [(n, k, bytes(v)) for n, k, v in rows]


def _put(session: Session, *, namespace: str, key: str, value: bytes | None) -> None:
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
        self._stored: dict[tuple[str, str], bytes] = {}
        """What the database holds, for each namespace in `_known`: a key not here has no row."""
        self._known: set[str] = set()

    async def _load(self, namespace: str) -> list[tuple[str, bytes]]:
        """Every row of `namespace`, remembered as what is stored."""
        rows = await self.db.run_read(_load_rows, namespace_prefix=namespace)
        found = [(key, value) for n, key, value in rows if n == namespace]
        for key, value in found:
            self._stored[(namespace, key)] = value
        self._known.add(namespace)
        return found

    async def _store(self, namespace: str, key: str, value: bytes | None) -> None:
        """Write `value` (None: no row) unless the database is known to hold it already."""
        if namespace in self._known and self._stored.get((namespace, key)) == value:
            return
        await self.db.run(_put, namespace=namespace, key=key, value=value)
        if value is None:
            self._stored.pop((namespace, key), None)
        else:
            self._stored[(namespace, key)] = value

    async def get_user_data(self) -> dict[int, dict[Any, Any]]:
        data: dict[int, dict[Any, Any]] = defaultdict(dict)
        for key, value in await self._load(USER_DATA):
            data[int(key)] = json.loads(value)
        return data

    async def update_user_data(self, user_id: int, data: dict[Any, Any]) -> None:
        await self._store(USER_DATA, str(user_id), _dump(deepcopy(data)) if data else None)

    async def drop_user_data(self, user_id: int) -> None:
        await self._store(USER_DATA, str(user_id), None)

    async def refresh_user_data(self, user_id: int, user_data: dict[Any, Any]) -> None:
        """User data is read once at start; the in-memory copy is current afterwards."""

    async def get_conversations(self, name: str) -> ConversationDict:
        found: ConversationDict = {}
        for key, value in await self._load(f"conv:{name}"):
            found[tuple(json.loads(key))] = json.loads(value)
        return found

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        await self._store(
            f"conv:{name}",
            json.dumps(list(key)),
            None if new_state is None else json.dumps(new_state).encode("utf-8"),
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
