"""`bsmi-desk report monthly|notices --month YYYY-MM --out DIR`: the secretariat's monthly
summary of complaints, and of notices and expiry reminders; `bsmi-desk report period --period
2027-H1 --out DIR`: a half-year's or a year's analysis of complaints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cases.period_report import write_report as write_period_report
from bot.cases.periods import build_period_analysis
from bot.cases.summary import build_summary
from bot.cases.summary_report import write_report
from bot.cli.common import (
    LangOption,
    RocOption,
    WesternOption,
    cli_command,
    database,
    report_language,
    settings,
)
from bot.notices import report as notices_report
from kernel.clock import utcnow
from kernel.i18n import t
from kernel.periods import ASSESSED, parse_past_month, parse_period
from kernel.reporting import plain, produced_now
from kernel.textfiles import writable_folder

report_app: typer.Typer = typer.Typer(help="Reports for the secretariat.", no_args_is_help=True)


@report_app.command("monthly")
@cli_command
def monthly(
    month: Annotated[str, typer.Option(help="the month, YYYY-MM")],
    out: Annotated[Path, typer.Option(help="directory for the HTML, CSV and PNG files")],
    roc: RocOption = False,
    western: WesternOption = False,
    lang: LangOption = None,
) -> None:
    """Write DIR/complaints-YYYY-MM.html, one CSV per table and the chart (.png)."""
    config = settings()
    language = report_language(lang)
    today = utcnow().astimezone(config.tz).date()
    year, number = parse_past_month(month, today=today).year_month
    writable_folder(out)
    db = database()
    summary = db.call(
        build_summary,
        year=year,
        month=number,
        today=today,
        language=language,
        counting=config.case_day_counting,
    )
    for path in write_report(summary, out, language, roc=roc, western=western):
        typer.echo(t(language, "case_cli.written", path=str(path)))


@report_app.command("period")
@cli_command
def period(
    period: Annotated[str, typer.Option(help="2027-H1 (first half) or 2027 (whole year)")],
    out: Annotated[Path, typer.Option(help="directory for the HTML, CSV and PNG files")],
    roc: RocOption = False,
    western: WesternOption = False,
    lang: LangOption = None,
) -> None:
    """Write DIR/complaints-PERIOD.html, one CSV per table and the chart (.png)."""
    config = settings()
    language = report_language(lang)
    chosen = parse_period(period, kinds=ASSESSED)
    writable_folder(out)
    analysis = database().call(
        build_period_analysis,
        period=chosen,
        today=utcnow().astimezone(config.tz).date(),
        language=language,
    )
    for path in write_period_report(analysis, out, language, roc=roc, western=western):
        typer.echo(t(language, "case_cli.written", path=str(path)))


@report_app.command("notices")
@cli_command
def notices(
    month: Annotated[str, typer.Option(help="the month, YYYY-MM")],
    out: Annotated[Path, typer.Option(help="directory for the HTML and CSV files")],
    roc: RocOption = False,
    western: WesternOption = False,
    lang: LangOption = None,
) -> None:
    """Write DIR/notices-YYYY-MM.html and one CSV per table: notices and reminders sent,
    recipients, delivered / blocked / failed, reminders by kind, unreachable certificates."""
    config = settings()
    language = report_language(lang)
    today = utcnow().astimezone(config.tz).date()
    year, number = parse_past_month(month, today=today).year_month
    writable_folder(out)
    db = database()
    found = db.call(
        notices_report.build_report, year=year, month=number, tz=config.tz, today=today
    )
    paths = notices_report.write_report(
        found, out, language, roc=roc, western=western, produced=produced_now()
    )
    for path in paths:
        typer.echo(plain(language, "notices_report.written", path=str(path)))
