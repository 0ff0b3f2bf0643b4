"""The notice outbox worker: one per bot token, paced to Telegram's limits, resumable.

worker.py     the dispatcher: rows queued (urgent first), sends in flight, looks at the outbox
              beside them, a supervisor that pauses on errors instead of dying
look.py       one look at the outbox in one transaction: lease, release, due rows, next due
lease.py      the lease that keeps one worker per bot token, trusted only while fresh
sending.py    one row's send: its parts paced and recorded, the attachment uploaded once
batches.py    outcomes written in batches, at once when the dispatcher needs their slots
pacing.py     the overall rate, and the whole bot's wait after a 429
prepared.py   a notice loaded and rendered once for all its sends
composers.py  which feature composes the outbox rows of each kind
setbacks.py   an error pauses the worker: logged once, retried with backoff
outcomes.py   what Telegram's answer means for a row (pure: sent, retry, blocked, failed,
              unknown when no answer came back)
transport.py  the HTTP transport (python-telegram-bot's BaseRequest on aiohttp), its timeouts
service.py    started with the application, or served alone (`python -m bot.delivery`)
"""
