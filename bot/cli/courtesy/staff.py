"""`bsmi-desk courtesy staff …`: import the directory, link an inspector, list it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import cli_command, database
from bot.cli.courtesy.shared import fail_rows, lang, read
from courtesy import directory
from courtesy.directory import RowErrors
from kernel.i18n import t

staff_app: typer.Typer = typer.Typer(help="The staff directory.", no_args_is_help=True)


@staff_app.command("import")
@cli_command
def staff_import(
    file: Annotated[Path, typer.Argument(help="CSV: unit,name,extension,inspector")],
) -> None:
    """Import the directory; updates by extension and deactivates who is no longer listed."""
    text = read(file)
    try:
        summary = database().call(directory.import_staff, text=text)
    except RowErrors as exc:
        fail_rows(exc)
        return
    typer.echo(
        t(
            lang(),
            "courtesy.staff.imported",
            added=summary.added,
            updated=summary.updated,
            unchanged=summary.unchanged,
            deactivated=summary.deactivated,
        )
    )
    if summary.stranded:
        shown = ", ".join(summary.stranded[:20])
        more = len(summary.stranded) - 20
        typer.echo(
            t(
                lang(),
                "courtesy.staff.stranded",
                count=len(summary.stranded),
                tests=shown + (f" (+{more})" if more > 0 else ""),
            ),
            err=True,
        )


@staff_app.command("link")
@cli_command
def staff_link(
    extension: Annotated[str, typer.Argument(help="the inspector's extension")],
    telegram_id: Annotated[int, typer.Argument(help="their Telegram user id")],
) -> None:
    """Link an inspector to their Telegram account (and grant the inspector role)."""
    staff = database().call(directory.link_inspector, extension=extension, telegram_id=telegram_id)
    typer.echo(
        t(
            lang(),
            "courtesy.staff.linked",
            extension=staff.extension,
            name=staff.name,
            telegram_id=telegram_id,
        )
    )


@staff_app.command("list")
@cli_command
def staff_list(all_staff: Annotated[bool, typer.Option("--all")] = False) -> None:
    """Print the directory as CSV."""
    lines = database().call(directory.staff_csv_lines, include_inactive=all_staff)
    for line in lines:
        typer.echo(line)
