"""`bsmi-desk case import FILE.csv` and `bsmi-desk report monthly --month YYYY-MM --out DIR`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cases import import_cases
from bot.cli import cli_command, database, settings
from bot.i18n import t
from bot.summary import build_summary, parse_month, write_report
from storage.errors import UserError
from storage.types import utcnow

case_app: typer.Typer = typer.Typer(help="Complaints and monitor reports.", no_args_is_help=True)
report_app: typer.Typer = typer.Typer(help="Reports for the secretariat.", no_args_is_help=True)


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


@report_app.command("monthly")
@cli_command
def monthly(
    month: Annotated[str, typer.Option(help="the month, YYYY-MM")],
    out: Annotated[Path, typer.Option(help="directory for the HTML, CSV and PNG files")],
    roc: Annotated[bool, typer.Option("--roc", help="show dates in the ROC calendar")] = False,
    lang: Annotated[str | None, typer.Option(help="zh-TW or en")] = None,
) -> None:
    """Write DIR/complaints-YYYY-MM.html, .csv and .png for the month."""
    config = settings()
    language = lang or config.default_language
    if language not in ("zh-TW", "en"):
        raise UserError("summary.bad_language", value=language)
    today = utcnow().astimezone(config.tz).date()
    year, number = parse_month(month, today=today)
    db = database()
    summary = db.call(
        build_summary,
        year=year,
        month=number,
        today=today,
        language=language,
        counting=config.case_day_counting,
    )
    for path in write_report(summary, out, language, roc=roc):
        typer.echo(t(language, "case_cli.written", path=str(path)))
