"""`bsmi-desk registry import|show|unreachable`: the register of certificates and
registrations, their expiry reminders, and the certificates no chat can be told about."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import cli_command, database, fail, settings
from bot.notices.firms import clean_tax_id
from bot.notices.registry import (
    SHOWN_PROBLEMS,
    BadRows,
    firm_certificates,
    firm_lines,
    import_register,
    unreachable_certificates,
)
from kernel.clock import utcnow
from kernel.reporting import format_day, plain
from kernel.textfiles import UTF8, read_text_file

registry_app: typer.Typer = typer.Typer(
    help="The register of certificates and their expiry reminders.", no_args_is_help=True
)


def print_problems(error: BadRows, language: str) -> None:
    """Each bad row on its own line of stderr (the first SHOWN_PROBLEMS), then the count."""
    for problem in error.problems[:SHOWN_PROBLEMS]:
        text = plain(language, problem.key, **problem.values)
        typer.echo(
            plain(language, "registry.problem_line", line=problem.line, problem=text), err=True
        )
    if len(error.problems) > SHOWN_PROBLEMS:
        typer.echo(
            plain(language, "registry.more_problems", count=len(error.problems) - SHOWN_PROBLEMS),
            err=True,
        )


@registry_app.command("import")
@cli_command
def import_command(
    file: Annotated[
        Path, typer.Argument(help="CSV with tax_id,kind,number,product,expires_on[,holder]")
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="withdraw certificates missing from the file")
    ] = False,
) -> None:
    """Import certificates (every row or none); plan or replan their expiry reminders."""
    config = settings()
    language = config.default_language
    source = read_text_file(file)
    if source.encoding != UTF8:
        typer.echo(
            plain(language, "files.read_as", path=str(file), encoding=source.encoding), err=True
        )
    db = database()
    try:
        done = db.call(
            import_register,
            text=source.text,
            replace=replace,
            days=config.expiry_reminder_days,
            tz=config.tz,
            now=utcnow(),
        )
    except BadRows as error:
        print_problems(error, language)
        fail(plain(language, error.key, **error.values))
    typer.echo(
        plain(
            language,
            "registry.imported",
            added=done.added,
            updated=done.updated,
            unchanged=done.unchanged,
            withdrawn=done.withdrawn,
            planned=done.planned,
            cancelled=done.cancelled,
        )
    )


@registry_app.command("show")
@cli_command
def show(tax_id: Annotated[str, typer.Argument(help="the firm's 統一編號")]) -> None:
    """A firm's certificates with each reminder's planned date and state."""
    config = settings()
    language = config.default_language
    number = clean_tax_id(tax_id)
    db = database()
    found = db.call(firm_certificates, tax_id=number)
    if not found:
        typer.echo(plain(language, "registry.no_certificates", tax_id=number))
        return
    for block in firm_lines(found, language, plain):
        for line in block:
            typer.echo(line)


@registry_app.command("unreachable")
@cli_command
def unreachable(
    within: Annotated[int, typer.Option("--within", help="days ahead, 1 to 3660")] = 90,
) -> None:
    """Certificates in force expiring within N days whose firm has no linked chat."""
    config = settings()
    language = config.default_language
    roc = language == "zh-TW"
    db = database()
    found = db.call(
        unreachable_certificates, within=within, today=utcnow().astimezone(config.tz).date()
    )
    if not found:
        typer.echo(plain(language, "registry.no_unreachable", within=within))
        return
    for c in found:
        typer.echo(
            plain(
                language,
                "registry.unreachable_line",
                expires=format_day(c.expires_on, language, roc=roc),
                tax_id=c.tax_id,
                kind=c.kind_zh if roc else c.kind_en,
                number=c.number,
                product=c.product,
            )
        )
    typer.echo(plain(language, "registry.unreachable_count", count=len(found)))
