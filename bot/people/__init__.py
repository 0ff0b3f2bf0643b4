"""People: invites and the roles they grant, revoking a role, a person's language, and whether
they have blocked the bot.

    invites.py  a single-use 72-hour link that grants a role; redeeming one
    roles.py    who holds which role, a page at a time, and revoking one
    profile.py  who a person is when they write (`meet`, `recognise`), their language, blocking

Plain functions on a session and plain values, no telegram; the chat handlers and the CLI call
them. Each use case is one call in one transaction: it checks, changes, writes its audit row
and returns what the caller sends after commit.
"""
