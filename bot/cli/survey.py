"""`bsmi-desk survey create|send|close|report`: periodic satisfaction surveys of subscribed
firms, and the report of the question asked after closed cases."""

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
from bot.surveys import admin
from bot.surveys.case_report import build_case_report
from bot.surveys.report_files import write_report
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.i18n import t
from kernel.periods import HALVES_AND_YEARS, parse_period
from kernel.textfiles import writable_folder

survey_app = typer.Typer(help="Satisfaction surveys and their reports.", no_args_is_help=True)

SURVEY_ID_MAX = 2**31 - 1


def _survey_id(value: int) -> int:
    if not 1 <= value <= SURVEY_ID_MAX:
        raise UserError("surveys.errors.unknown_survey", survey=value)
    return value


@survey_app.command("create")
@cli_command
def create(
    title: Annotated[str, typer.Option(help="the survey's title, as recipients see it")],
    template: Annotated[str, typer.Option(help="the questions: service")] = "service",
) -> None:
    """Create a survey from a template; prints its id alone on the last line."""
    survey_id = database().call(admin.create_survey, template=template, title=title, now=utcnow())
    lang = settings().default_language
    typer.echo(t(lang, "surveys.cli.created", survey=survey_id))
    typer.echo(str(survey_id))


@survey_app.command("send")
@cli_command
def send(
    survey_id: Annotated[int, typer.Argument(metavar="ID", help="the survey's id")],
    category: Annotated[
        list[str] | None, typer.Option(help="a category code; repeat for more (default: all)")
    ] = None,
    sample: Annotated[int | None, typer.Option(help="send to this many, drawn at random")] = None,
    seed: Annotated[
        int | None, typer.Option(help="the draw's seed (needed with --sample)")
    ] = None,
) -> None:
    """Send the survey through the notice outbox to the subscribers of the categories."""
    sent = database().call(
        admin.send_survey,
        survey_id=_survey_id(survey_id),
        category_codes=category or [],
        sample=sample,
        seed=seed,
        now=utcnow(),
    )
    typer.echo(
        t(
            settings().default_language,
            "surveys.cli.sent",
            survey=sent.survey_id,
            recipients=sent.recipients,
            subscribers=sent.subscribers,
            notice=sent.notice_id,
        )
    )


@survey_app.command("close")
@cli_command
def close(survey_id: Annotated[int, typer.Argument(metavar="ID", help="the survey's id")]) -> None:
    """Close the survey: answers are no longer taken."""
    closed = database().call(admin.close_survey, survey_id=_survey_id(survey_id), now=utcnow())
    key = "surveys.cli.closed" if closed else "surveys.cli.already_closed"
    typer.echo(t(settings().default_language, key, survey=survey_id))


@survey_app.command("report")
@cli_command
def report(
    out: Annotated[Path, typer.Option(help="directory for the HTML, CSV and PNG files")],
    survey_id: Annotated[
        int | None, typer.Argument(metavar="[ID]", help="the survey's id")
    ] = None,
    cases: Annotated[
        bool, typer.Option("--cases", help="the question asked after closed cases")
    ] = False,
    period: Annotated[
        str | None, typer.Option(help="with --cases: 2027-H1, 2027-H2 or 2027")
    ] = None,
    lang: LangOption = None,
    western: WesternOption = False,
) -> None:
    """Write a survey's report, or with --cases --period the case follow-ups' report."""
    language = report_language(lang)
    if cases == (survey_id is not None) or (cases and period is None):
        raise UserError("surveys.errors.report_what")
    folder = writable_folder(out)
    db = database()
    if cases:
        assert period is not None
        built = db.call(
            build_case_report,
            period=parse_period(period, kinds=HALVES_AND_YEARS),
            language=language,
            tz=settings().tz,
            western=western,
        )
    else:
        assert survey_id is not None
        built = db.call(
            admin.read_survey_report,
            survey_id=_survey_id(survey_id),
            language=language,
            western=western,
        )
    try:
        files = write_report(built, folder)
    except OSError as exc:
        raise UserError(
            "files.unwritable", path=str(folder), reason=exc.strerror or str(exc)
        ) from None
    for path in files:
        typer.echo(t(language, "surveys.cli.written", path=str(path)))
