"""`bsmi-desk case import FILE.csv`: cases received by phone, letter, the web or email."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cases.importing import import_cases
from bot.cli.common import cli_command, database, settings
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.i18n import t

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
    """Import cases received by phone, letter, the web or email (all rows or none)."""
    config = settings()
    if not file.is_file():
        raise UserError("case_import.no_file", path=str(file))
    text = file.read_text(encoding="utf-8-sig")
    db = database()
    numbers = db.call(
        import_cases,
        text=text,
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
