"""`bsmi-desk run` (the bot) and `bsmi-desk db upgrade`."""

from __future__ import annotations

import asyncio

import typer

from bot.cli.common import cli_command, database, settings

db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)


@cli_command
def run() -> None:
    """Apply migrations and run the bot (polling, or a webhook when WEBHOOK_URL is set)."""
    from bot.application import ALLOWED_UPDATES, build_application, webhook_options
    from bot.edge import logs, startup

    config = settings()
    token = config.require_token()
    config.require_contact()
    logs.configure(token=token, secrets=config.log_secrets())
    # Asked before anything else is logged, so a wrong token or address is the only line.
    asyncio.run(startup.check_bot_api(config))
    asyncio.set_event_loop(asyncio.new_event_loop())  # python-telegram-bot's run_* uses it
    db = database(carries_audit=False)  # its transactions are the bot's; audited at the end
    application = build_application(config, db=db)
    try:
        if config.webhook_url:
            application.run_webhook(**webhook_options(config))
        else:
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except Exception as exc:
        failure = startup.failure(exc, config)
        if failure is None:
            raise
        raise failure from None


@db_app.command("upgrade")
@cli_command
def db_upgrade() -> None:
    """Apply every pending migration."""
    db = database()
    typer.echo(f"database is up to date ({db.backend})")
