"""The public site, served by `bsmi-desk run` in the bot's process and event loop (aiohttp):
the notice archive and its Atom feeds, the e-mail subscription pages, the privacy statement,
health checks for monitoring.
An edge like `bot/handlers`: it reads the domains and storage, never Telegram.

app.py            the application: the route table, security headers, error pages, start and stop
frame.py          what every page shares: language and links, absolute addresses, dates, rendering
archive.py        the archive: the list of public notices, a notice's permanent page, its file
feeds.py          the Atom feeds and their permanent entry ids
health.py         /healthz and /readyz
subscriptions.py  subscribing by e-mail: the form, confirming, managing, one-click unsubscribe
richtext.py       Telegram HTML made safe for a page
"""
