"""Everything that knows Telegram: the application, handlers, delivery worker and CLI, and the
chatbot's domains below them (no telegram there).

    application.py  build_application(settings): every feature's handlers, start-up, shutdown
    settings.py     settings from the environment and `.env`, refusing bad values early
    __main__.py     `python -m bot`, the same as `bsmi-desk`
    cli/            the `bsmi-desk` command line
    handlers/       the chat edge of each feature: parse, one domain call, reply
    edge/           Telegram plumbing shared by handlers and jobs
    jobs/           background loops that find what is due and write it to the outbox
    delivery/       the outbox worker and its transport
    web/            the public site: the notice archive, its feeds, health (no telegram)
    notices/        domain: categories, subscriptions, notices, the certificate register
    cases/          domain: complaints and monitor reports, from filing to closing
    people/         domain: invites, roles, who a person is, their language, blocked chats
    surveys/        domain: satisfaction surveys and the question after a closed case
    mail/           domain: notices by e-mail, double opt-in, and the mail sender
    assessment/     domain: the self-assessment (附表2) and the half-year and year pack
    visits/         domain: visits to firms and the needs they raise, answered on time
    duties/         domain: the plan's recurring duties with their evidence, training sessions
"""

import os

# python-telegram-bot 22 reports durations (RetryAfter.retry_after and the like) as timedelta
# once this is set, and warns on every flood-wait until it is; we opt in everywhere.
os.environ.setdefault("PTB_TIMEDELTA", "true")
