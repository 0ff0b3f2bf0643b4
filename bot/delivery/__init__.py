"""The notice outbox worker: one per bot token, paced to Telegram's limits, resumable.

worker.py     pacing, sends in flight, the lease, outcomes written in batches
outcomes.py   what Telegram's answer means for a row (pure: sent, retry, blocked, failed)
transport.py  the HTTP transport (python-telegram-bot's BaseRequest on aiohttp)
service.py    started with the application, or served alone (`python -m bot.delivery`)
"""
