"""Report files to a chat: written in a temporary folder off the event loop, each sent as a
document under its own name, the folder removed afterwards. The one way /summary, /assessment
and the courtesy report send their HTML, CSV and PNG files."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from pathlib import Path

from telegram import Bot


async def send_report_files(
    bot: Bot,
    chat_id: int,
    write: Callable[[Path], list[Path]],
    *,
    prefix: str,
    text: str | None = None,
) -> list[str]:
    """Send `text` (the report's short chat reply) when given, then call `write(folder)` in a
    worker thread and send every file it returns to `chat_id`, in that order; returns the
    names sent."""
    if text is not None:
        await bot.send_message(chat_id, text)
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        paths = await asyncio.to_thread(write, Path(tmp))
        for path in paths:
            with path.open("rb") as handle:
                await bot.send_document(chat_id, handle, filename=path.name)
    return [path.name for path in paths]
