"""The chat edge: one module or package per feature, each exposing FEATURE
(bot.edge.features.Feature); bot/application.py installs them in /help order.

start.py          /start and its deep links, /help, /language, /privacy, /cancel, unknown commands
subscriptions.py  /subscribe, /mysubs, /unsubscribe
profile.py        /profile and /forget
reminders.py      /reminders: certificate expiry reminders on or off
filing/           petitioners: /report, /status, answering a request for information
admin.py          /invite and /roles
notices.py        /notice (the conversation) and the feature's commands
notice_overview.py  /notices: recent notices by channel, pauses, unreachable certificates
categories.py     /categories
cases/            staff: /cases, /case with its actions, /summary
intake.py         /intake: a case received by phone, letter, e-mail, walk-in or the website
courtesy/         /tests, /score, /actions, /action, /courtesy_report
assessment/       /assessment, and under it the secretariat's scoring, follow-ups and publication
targets.py        /targets: this year's and next year's targets, and setting them
surveys.py        answering surveys and the question after a closed case
survey_admin/     /survey: list, create, send, close and report surveys (the secretariat)
improvements.py   /improvements: open improvement actions of survey findings, closed in chat
imports/          staff upload the CLI's CSVs (register, staff, scores, cases); /registry 統一編號
visits/           staff: /visit (a visit to a firm and its needs), /needs (answer, notice the firm)
duties.py         /duties: recurring duties due, overdue and done; one done with a note and photos
training.py       /training: a training session recorded step by step
"""
