"""Everything that knows Telegram: the application, handlers, delivery worker and CLI."""

import os

# python-telegram-bot 22 reports durations (RetryAfter.retry_after and the like) as timedelta
# once this is set, and warns on every flood-wait until it is; we opt in everywhere.
os.environ.setdefault("PTB_TIMEDELTA", "true")
