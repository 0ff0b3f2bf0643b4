"""Query functions: the session first, the rest keyword-only, named for what they do; none
commits.

archive.py        the public archive: which notices anyone may read, and their files
assessment.py     the self-assessment and the yearly targets
audit.py          the audit log: a row written with its change, the latest read back
bulk.py           many rows at once: short IN lists, the one bulk insert
case_periods.py   a half-year's or a year's complaint analysis (aggregation)
case_summary.py   the monthly summary of cases (aggregation)
cases.py          cases: numbering, storing, reading, importing
courtesy.py       the courtesy tracker: directory, rubrics, rounds, calls, results, actions
duties.py         recurring duties, their occurrences and evidence; training and its progress
health.py         the public site's readiness: the worker's heartbeat, the oldest due row
mail.py           e-mail subscribers, tokens, requests; the e-mail rows of the outbox
mail_digests.py   e-mail digests: their windows, their e-mail rows, what each lists
notices.py        categories, subscriptions, company profiles, notices and their release
outbox/           the delivery outbox, one module per concern (its own map)
people.py         people, roles and invites
registry/         the certificate register, one module per concern (its own map)
surveys.py        surveys and case follow-ups
surveys_improvements.py  improvement actions answering survey findings, and their history
visits.py         visits to firms and firms' needs: storing, answering, a period's, open ones
"""
