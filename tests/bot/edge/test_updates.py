"""Updates of different chats run at once; one chat's updates keep their order."""

from __future__ import annotations

import asyncio

from telegram import Chat, Message, Update

from bot.edge.updates import PerChatUpdateProcessor


def update_in(chat_id: int, update_id: int) -> Update:
    chat = Chat(chat_id, "private")
    message = Message(update_id, date=None, chat=chat, text="x")  # type: ignore[arg-type]
    return Update(update_id, message=message)


async def test_one_chat_is_ordered_while_other_chats_proceed() -> None:
    processor = PerChatUpdateProcessor(8)
    events: list[str] = []
    release_first = asyncio.Event()

    async def work(name: str, wait: asyncio.Event | None = None) -> None:
        events.append(f"start {name}")
        if wait is not None:
            await wait.wait()
        events.append(f"end {name}")

    first = asyncio.create_task(
        processor.process_update(update_in(1, 1), work("a1", release_first))
    )
    second = asyncio.create_task(processor.process_update(update_in(1, 2), work("a2")))
    other = asyncio.create_task(processor.process_update(update_in(2, 3), work("b1")))
    await asyncio.wait_for(other, timeout=2)
    assert "end b1" in events and "start a2" not in events
    release_first.set()
    await asyncio.wait_for(asyncio.gather(first, second), timeout=2)
    assert events.index("end a1") < events.index("start a2")
    assert processor._locks == {} and processor._waiting == {}
