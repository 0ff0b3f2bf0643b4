"""The notice outbox worker: one per bot token, paced to Telegram's limits, resumable."""
