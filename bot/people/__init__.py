"""People: invites and the roles they grant, revoking a role, a person's language, and whether
they have blocked the bot.

Plain functions on a session and plain values, no telegram; the chat handlers and the CLI call
them. Each use case is one call in one transaction: it checks, changes, writes its audit row
and returns what the caller sends after commit.
"""
