"""The delivery outbox's SQL (`Delivery` rows of `storage/models/notices.py`, the worker's
tables of `storage/models/delivery.py`), one module per concern:

- `enqueue`: rows written for the recipients a feature chose, and the wake on commit;
- `texts`: catalogue texts (case news, reminders) written as outbox messages, a reminder never
  twice (its `once_key`), their values stored and read back;
- `due`: the rows due now (urgent first), when the next falls due, how many are open;
- `results`: what the worker's sends did, written in batches; a chat that blocked the bot;
- `leases`: the lease that keeps one worker per bot token, and its recorded pauses;
- `unknown`: rows sent with no answer from Telegram, listed and resent after a person checked;
- `case_messages`: what a case's reporter was sent and whether it arrived."""
