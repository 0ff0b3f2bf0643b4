"""The Telegram edge's plumbing, shared by handlers and jobs.

context.py        the per-update context and the services
access.py         role checks
features.py       what a feature offers: commands, deep links, handlers
registry.py       the installed features
menus.py          command menus per chat scope
keyboards.py      keyboard builders and core button prefixes
callbacks.py      strict button data and the one stale-button answer
conversations.py  /cancel and stale-button factories
waiting.py        prompts that wait for one text
files.py          report files sent to a chat
case_news.py      how case news and reminders read in chat (the delivery worker's composer)
contact.py        how the public reaches the branch, and dates as chat messages show them
persistence.py    conversations that survive a restart
updates.py        per-chat update order
chats.py          private chats only
startup.py        the start-up check against the Bot API
logs.py           logging that never shows the token
"""
