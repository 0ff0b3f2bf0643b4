"""The `bsmi-desk` command line (Typer): `app.py` is the root, one module per area below it.

app.py         the root: gathers each area's commands, one-line usage errors
common.py      settings read once, the migrated database, one-line failures, the audit row
server.py      `run` (the bot) and `db upgrade`
notice.py      `notice send|status|worker`
category.py    `category list|add|rename|retire|set-renewal`
outbox.py      `outbox unknown|resend`: deliveries Telegram never answered
registry.py    `registry import|show|unreachable`: the certificate register
case.py        `case import`: cases received off-line
report.py      `report monthly|notices|period`: the secretariat's reports
survey.py      `survey create|send|close|report`
email.py       `email import|show|remove`: confirmation requests, a person's address
invite.py      `invite ROLE`: a one-time link that grants a role
target.py      `target set|list`: the yearly targets
visit.py       `visit add|need|answer|list`: visits to firms and the needs they raise
duty.py        `duty list|add|done`: the plan's recurring duties and their evidence
training.py    `training add|list`: training sessions against the year's target
assessment.py  `assessment score|import|follow-up|publish|report|evidence`
demo.py        `demo`: a realistic year in a fresh SQLite database, with its reports
courtesy/      `courtesy …`: the courtesy-test tracker (its own map)
"""
