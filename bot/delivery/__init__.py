"""The notice outbox worker: one per bot token, paced to Telegram's limits, resumable.

worker.py     sends in flight, the lease, outcomes written in batches, pauses on errors
pacing.py     the overall rate, and the whole bot's wait after a 429
prepared.py   a notice loaded and rendered once for all its sends
setbacks.py   an error pauses the worker: logged once, retried with backoff
outcomes.py   what Telegram's answer means for a row (pure: sent, retry, blocked, failed,
              unknown when no answer came back)
transport.py  the HTTP transport (python-telegram-bot's BaseRequest on aiohttp), its timeouts
service.py    started with the application, or served alone (`python -m bot.delivery`)
"""
