"""The Telegram edge's plumbing, shared by handlers and jobs.

The per-update context, role checks, features and their commands and button prefixes, menus,
waits for a text, conversation helpers, sending with the blocked rule, conversation persistence,
per-chat update order, and logging that never shows the token.
"""
