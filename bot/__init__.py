"""Everything that knows Telegram: the application, handlers, delivery worker and CLI."""
