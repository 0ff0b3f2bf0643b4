"""The delivery worker's life inside `bsmi-desk run`: started and stopped with the application."""

from __future__ import annotations

from bot.delivery.worker import DeliveryWorker, worker_for
from bot.edge.context import BotApplication, Services

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
