"""`bsmi-desk case import FILE.csv`: cases received by phone, letter, the web or email."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cases.importing import import_cases
from bot.cli.common import cli_command, database, settings
from kernel.clock import utcnow
from kernel.i18n import t
from kernel.textfiles import UTF8, read_text_file

case_app: typer.Typer = typer.Typer(help="Complaints and monitor reports.", no_args_is_help=True)


@case_app.command("import")
@cli_command
def import_command(
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with channel, kind, received_on, subject, "
            "description [, location, category, unit, "
            "contact_name, contact_phone]"
        ),
    ],
) -> None:
    """Import cases received by phone, letter, the web or email (all rows or none).

    The file may be UTF-8 or Big5 (as Excel on zh-TW Windows saves it); it is checked whole
    before anything is written, then written in batches the bot can answer between."""
    config = settings()
    source = read_text_file(file)
    if source.encoding != UTF8:
        typer.echo(
            t(config.default_language, "files.read_as", path=str(file), encoding=source.encoding),
            err=True,
        )
    db = database()
    numbers = import_cases(
        db=db,
        text=source.text,
        tz=config.tz,
        reply_days=config.case_reply_days,
        counting=config.case_day_counting,
        today=utcnow().astimezone(config.tz).date(),
    )
    typer.echo(
        t(
            config.default_language,
            "case_import.done",
            count=len(numbers),
            first=numbers[0],
            last=numbers[-1],
        )
    )
