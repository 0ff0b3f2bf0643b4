"""The notice network's rules, one module per concern; no Telegram here.

    firms.py          a firm's profile: company name and 統一編號 (the Ministry of Finance check)
    categories.py     categories: codes, names, adding, renaming, retiring, the admin overview
    subscriptions.py  who receives what: /subscribe toggles, deep links, unsubscribing, forgetting
    rendering.py      a notice as Telegram HTML: templates, message length, splitting long bodies
    publishing.py     what a notice may be (title, body, attachment, time), publish, release
    drafts.py         the staff /notice draft: its state, the category pick, the preview, sending
    status.py         delivery progress of a notice, for /notices and `bsmi-desk notice status`
    overview.py       what /notices shows staff: recent notices, certificates nobody can be told
    unknown.py        deliveries Telegram never answered: listed, checked, sent again by hand
    registry.py       the certificate register: its CSV import, a firm's certificates, renewals
    expiry.py         certificate expiry reminders: planned, due, released, the firm's message
    targeting.py      notices targeted by 統一編號: the list read, refused whole, unreachable ones
    report.py         the monthly notices report: notices and reminders, recipients, outcomes
    demo.py           a year of the notice network for `bsmi-desk demo`

Use cases are plain functions on a session (one transaction, the caller's): they check, change,
write their audit row and return what the front end shows. Publishing writes the notice and,
when it is due now, releases it: the outbox rows are written by one INSERT … SELECT in the same
transaction (`storage.queries.notices.release_notice`).
"""
