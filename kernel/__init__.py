"""The shared kernel: what the chatbot and the courtesy tracker both use.

No Telegram and no SQL live here: the user-facing error type, the message catalogues and `t()`,
Taiwan's work calendar, report helpers (CSV, ROC dates, charts), the one Jinja2 environment and
the clock. Everything else may import it; it imports nothing of this project's.
"""
