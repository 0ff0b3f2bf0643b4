"""Report files to a chat: written off the event loop in a folder that is gone afterwards,
each sent as a document under its own name, in order."""

from __future__ import annotations

from pathlib import Path

from telegram import Bot

from bot.edge.files import send_report_files
from tests.conftest import TOKEN
from tests.fakes import FakeBotApi


async def test_every_file_written_is_sent_in_order_and_the_folder_is_removed(
    fake_api: FakeBotApi,
) -> None:
    folders: list[Path] = []

    def write(folder: Path) -> list[Path]:
        folders.append(folder)
        paths = [folder / "complaints-2026-10.html", folder / "complaints-2026-10-counts.csv"]
        for path in paths:
            path.write_text(path.name, encoding="utf-8")
        return paths

    async with Bot(TOKEN, base_url=fake_api.base_url) as bot:
        sent = await send_report_files(bot, 601, write, prefix="bsmi-test-")
    assert sent == ["complaints-2026-10.html", "complaints-2026-10-counts.csv"]
    names = [
        c.result["document"]["file_name"] for c in fake_api.calls("sendDocument", chat_id=601)
    ]
    assert names == sent
    assert folders and folders[0].name.startswith("bsmi-test-") and not folders[0].exists()


async def test_the_short_reply_comes_before_the_files(fake_api: FakeBotApi) -> None:
    def write(folder: Path) -> list[Path]:
        path = folder / "survey-2.csv"
        path.write_text("x", encoding="utf-8")
        return [path]

    async with Bot(TOKEN, base_url=fake_api.base_url) as bot:
        await send_report_files(bot, 602, write, prefix="bsmi-test-", text="Survey 2: 5 answers")
    methods = [c.method for c in fake_api.calls(chat_id=602)]
    assert methods == ["sendMessage", "sendDocument"]
    assert fake_api.last_text(602) == "Survey 2: 5 answers"
