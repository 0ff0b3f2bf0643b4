"""The delivery worker's life: started and stopped with the application inside `bsmi-desk run`,
or served on its own until SIGTERM or SIGINT (`python -m bot.delivery`, `bsmi-desk notice
worker`), after the same start-up check as `bsmi-desk run` (`bot/edge/startup.py`): a refused
token or a wrong TELEGRAM_BASE_URL is one sentence, never python-telegram-bot's traceback with
the token in its last line."""

from __future__ import annotations

import asyncio
import signal
from datetime import timedelta

from bot.delivery.worker import DeliveryWorker, worker_for
from bot.edge.context import BotApplication, Services
from bot.edge.logs import install_redaction
from bot.edge.startup import check_bot_api
from bot.settings import Settings
from storage.db import Database

WORKER_KEY = "delivery_worker"


async def start_worker(app: BotApplication) -> None:
    """Start the outbox worker with the application (it waits if another holds the lease)."""
    services: Services = app.bot_data["services"]
    settings = services.settings
    worker: DeliveryWorker = worker_for(
        db=services.db,
        token=settings.require_token(),
        base_url=settings.telegram_base_url,
        base_file_url=settings.telegram_base_file_url,
        rate=settings.broadcast_rate,
        default_language=settings.default_language,
        settings=settings,
    )
    await worker.bot.initialize()
    worker.start()
    app.bot_data[WORKER_KEY] = worker


async def stop_worker(app: BotApplication) -> None:
    """Let sends in flight finish, write their outcomes, free the lease."""
    worker: DeliveryWorker | None = app.bot_data.pop(WORKER_KEY, None)
    if worker is not None:
        await worker.stop()
        await worker.bot.shutdown()


async def serve(settings: Settings, *, lease_seconds: float = 30.0) -> None:
    """Check the Bot API, then run one worker until SIGTERM or SIGINT; a UserError naming the
    setting when the Bot API refuses the token or is not where TELEGRAM_BASE_URL says."""
    token = settings.require_token()
    install_redaction(token)
    await check_bot_api(settings)
    db = Database(settings.database_url)
    db.upgrade()
    worker = worker_for(
        db=db,
        token=token,
        base_url=settings.telegram_base_url,
        base_file_url=settings.telegram_base_file_url,
        rate=settings.broadcast_rate,
        default_language=settings.default_language,
        lease=timedelta(seconds=lease_seconds),
        settings=settings,
    )
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, worker.request_stop)
    async with worker.bot:
        await worker.run()
    db.dispose()
