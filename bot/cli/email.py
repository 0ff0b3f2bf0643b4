"""`bsmi-desk email import|show|remove`: confirmation requests for a list the branch already
has (nobody is subscribed by it), and a person's request about their address."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import cli_command, database, fail, settings
from bot.mail.records import import_requests, remove, show
from kernel.clock import utcnow
from kernel.errors import BadRows
from kernel.reporting import format_day, plain
from kernel.textfiles import UTF8, read_text_file

SHOWN_PROBLEMS = 50

email_app: typer.Typer = typer.Typer(
    help="Notices by e-mail: confirmation requests, a person's address.", no_args_is_help=True
)


@email_app.command("import")
@cli_command
def import_command(
    file: Annotated[Path, typer.Argument(help="CSV with email,categories,frequency,language")],
) -> None:
    """Send a confirmation request to each address of the file (every row or none)."""
    language = settings().default_language
    source = read_text_file(file)
    if source.encoding != UTF8:
        typer.echo(
            plain(language, "files.read_as", path=str(file), encoding=source.encoding), err=True
        )
    try:
        sent, skipped = database().call(import_requests, text=source.text, now=utcnow())
    except BadRows as error:
        for problem in error.problems[:SHOWN_PROBLEMS]:
            text = plain(language, problem.key, **problem.values)
            typer.echo(
                plain(language, "mail.cli.problem_line", line=problem.line, problem=text),
                err=True,
            )
        fail(plain(language, error.key, **error.values))
    typer.echo(plain(language, "mail.cli.imported", sent=sent, skipped=skipped))


@email_app.command("show")
@cli_command
def show_command(address: Annotated[str, typer.Argument(help="the e-mail address")]) -> None:
    """What is kept of an address: its subscription and requests."""
    config = settings()
    language = config.default_language
    kept = database().call(show, address=address)
    separator = "、" if language == "zh-TW" else ", "
    if kept.subscription is None and not kept.requests:
        typer.echo(plain(language, "mail.cli.show_none", address=kept.address))
        return
    if kept.subscription is not None and kept.confirmed_at is not None:
        choice = kept.subscription
        typer.echo(
            plain(
                language,
                "mail.cli.show_subscriber",
                address=kept.address,
                confirmed=format_day(kept.confirmed_at.astimezone(config.tz).date(), language),
                categories=separator.join(c.name_in(language) for c in choice.categories),
                frequency=plain(language, f"mail.frequency.{choice.frequency}"),
                language=choice.language,
            )
        )
    for request in kept.requests:
        typer.echo(
            plain(
                language,
                "mail.cli.show_request",
                address=kept.address,
                created=format_day(request.created_at.astimezone(config.tz).date(), language),
                categories=request.category_ids,
                frequency=plain(language, f"mail.frequency.{request.frequency}"),
            )
        )


@email_app.command("remove")
@cli_command
def remove_command(address: Annotated[str, typer.Argument(help="the e-mail address")]) -> None:
    """Delete an address's subscription and requests (sent e-mails keep only its hash)."""
    language = settings().default_language
    subscribers, requests = database().call(remove, address=address)
    typer.echo(
        plain(
            language,
            "mail.cli.removed",
            address=address.strip(),
            subscribers=subscribers,
            requests=requests,
        )
    )
