"""`bsmi-desk survey create|send|close|report`: periodic satisfaction surveys of subscribed
firms, and the report of the question asked after closed cases; `survey improve`,
`improvements` and `improvement start|close|cancel`: the improvement actions answering a
survey's findings."""

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
from bot.surveys import improvements as improving
from bot.surveys.case_report import build_case_report
from bot.surveys.report_files import write_report
from kernel.clock import today, utcnow
from kernel.errors import UserError
from kernel.i18n import t
from kernel.periods import HALVES_AND_YEARS, parse_period
from kernel.reporting import format_day, use_roc
from kernel.textfiles import writable_folder
from storage.models.surveys import ImprovementState

survey_app = typer.Typer(help="Satisfaction surveys and their reports.", no_args_is_help=True)
improvement_app = typer.Typer(
    help="Move an improvement action on: start, close, cancel.", no_args_is_help=True
)
survey_app.add_typer(improvement_app, name="improvement")

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
            threshold=settings().survey_finding_threshold,
        )
    try:
        files = write_report(built, folder)
    except OSError as exc:
        raise UserError(
            "files.unwritable", path=str(folder), reason=exc.strerror or str(exc)
        ) from None
    for path in files:
        typer.echo(t(language, "surveys.cli.written", path=str(path)))


@survey_app.command("improve")
@cli_command
def improve(
    survey_id: Annotated[int, typer.Argument(metavar="SURVEY_ID", help="the survey's id")],
    question: Annotated[
        str, typer.Argument(metavar="QUESTION", help="the item's code (measures) or number")
    ],
    unit: Annotated[str, typer.Option(help="the owner unit's code, e.g. sec1")],
    plan: Annotated[str, typer.Option(help="what the unit will do")],
    due: Annotated[str, typer.Option(help="a working day: 2027-03-31 or 116/03/31")],
) -> None:
    """Open an improvement action for a finding of the survey (refused for another item)."""
    config = settings()
    opened = database().call(
        improving.open_improvement,
        survey_id=_survey_id(survey_id),
        question=question,
        unit_code=unit,
        plan=plan,
        due_on=improving.parse_due(due),
        threshold=config.survey_finding_threshold,
        today=today(config.tz),
        actor="cli",
        by=None,
        now=utcnow(),
    )
    lang = config.default_language
    listed = database().call(improving.list_improvements, language=lang)
    found = next(x for x in listed if x.id == opened.id)
    typer.echo(
        t(
            lang,
            "improvements.cli.opened",
            id=found.id,
            survey=opened.survey_id,
            item=found.item,
            unit=found.view.unit_name(lang),
            due=format_day(opened.due_on, lang, roc=use_roc(lang)),
        )
    )


@survey_app.command("improvements")
@cli_command
def improvements(
    open_only: Annotated[
        bool, typer.Option("--open", help="only those open or in progress")
    ] = False,
) -> None:
    """List the improvement actions: number, survey, item, unit, due date, state."""
    lang = settings().default_language
    listed = database().call(improving.list_improvements, language=lang, open_only=open_only)
    if not listed:
        typer.echo(t(lang, "improvements.none_open" if open_only else "improvements.none"))
    for item in listed:
        typer.echo(improving.improvement_line(lang, item, roc=use_roc(lang)))


def _move(improvement_id: int, to: ImprovementState, text: str | None) -> None:
    moved = database().call(
        improving.move_improvement,
        improvement_id=_survey_id(improvement_id),
        to=to,
        text=text,
        actor="cli",
        by=None,
        now=utcnow(),
    )
    lang = settings().default_language
    state = improving.state_label(lang, moved.state)
    typer.echo(t(lang, "improvements.cli.moved", id=improvement_id, state=state))


@improvement_app.command("start")
@cli_command
def start_improvement(
    improvement_id: Annotated[int, typer.Argument(metavar="ID", help="the action's number")],
    note: Annotated[str | None, typer.Option(help="what has begun")] = None,
) -> None:
    """Mark an improvement action in progress."""
    _move(improvement_id, ImprovementState.IN_PROGRESS, note)


@improvement_app.command("close")
@cli_command
def close_improvement(
    improvement_id: Annotated[int, typer.Argument(metavar="ID", help="the action's number")],
    verification: Annotated[
        str | None, typer.Option(help="how the improvement was checked (required)")
    ] = None,
) -> None:
    """Close an improvement action with its written verification."""
    _move(improvement_id, ImprovementState.CLOSED, verification)


@improvement_app.command("cancel")
@cli_command
def cancel_improvement(
    improvement_id: Annotated[int, typer.Argument(metavar="ID", help="the action's number")],
    reason: Annotated[str | None, typer.Option(help="why it is dropped (required)")] = None,
) -> None:
    """Cancel an improvement action, with the reason."""
    _move(improvement_id, ImprovementState.CANCELLED, reason)
