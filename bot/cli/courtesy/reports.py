"""`bsmi-desk courtesy report`: a round's or a year's report as HTML, CSV and PNG files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import (
    LangOption,
    WesternOption,
    cli_command,
    database,
    report_language,
    settings,
)
from bot.cli.courtesy.shared import today
from courtesy import report_files, reports
from courtesy.period_reports import build_period_report
from kernel.errors import UserError
from kernel.i18n import t
from kernel.periods import ASSESSED, parse_period
from kernel.textfiles import writable_folder


@cli_command
def report(
    out: Annotated[Path, typer.Option(help="directory for the HTML, CSV and PNG")],
    round_: Annotated[str | None, typer.Option("--round", help="YEAR-ROUND, e.g. 2026-1")] = None,
    year: Annotated[int | None, typer.Option(help="a whole year")] = None,
    period: Annotated[
        str | None,
        typer.Option(help="the calls dated in a half-year (2027-H1) or year (2027)"),
    ] = None,
    language: LangOption = None,
    western: WesternOption = False,
) -> None:
    """Write a round, year or period report as courtesy-….html, .csv and .png."""
    chosen = report_language(language)
    if [round_, year, period].count(None) != 2:
        raise UserError("courtesy.report.bad_round", round=round_ or "")
    folder = writable_folder(out)
    if period is not None:
        asked = parse_period(period, kinds=ASSESSED)
        built = database().call(
            build_period_report,
            period=asked,
            language=chosen,
            pass_mark=settings().courtesy_pass_mark,
            today=today(),
            western=western,
        )
    else:
        built = database().call(
            reports.build_report,
            round_text=round_,
            year=year,
            language=chosen,
            pass_mark=settings().courtesy_pass_mark,
            today=today(),
            western=western,
        )
    try:
        files = report_files.write_report(built, folder)
    except OSError as exc:  # e.g. the disk filled up, or a report's name is taken by a folder
        raise UserError(
            "files.unwritable", path=str(folder), reason=exc.strerror or str(exc)
        ) from None
    typer.echo(t(chosen, "courtesy.report.written", files=", ".join(str(f) for f in files)))
