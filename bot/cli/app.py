"""The `bsmi-desk` command line: the root that gathers each area's commands.

Every command works on a fresh database (it applies pending migrations itself), never prompts,
and reports bad input in one sentence on stderr with exit code 2, never a traceback. The root
imports its parts (one module per area, each with its own `typer.Typer()`); no part imports it.
"""

from __future__ import annotations

import sys
from typing import Any, NoReturn

import typer

# Typer (0.29) carries its own copy of Click: a command line typed wrong raises these.
from typer._click import exceptions as click
from typer._click.core import Context
from typer.core import TyperGroup

from bot.cli import (
    assessment,
    case,
    category,
    courtesy,
    demo,
    duty,
    email,
    invite,
    notice,
    outbox,
    registry,
    report,
    server,
    survey,
    target,
    training,
    visit,
)
from bot.cli.common import usage_sentence


class OneSentenceGroup(TyperGroup):
    """The root command: a command line typed wrong anywhere below it (a value that is not a
    number or not one of the choices, a missing or unknown option, an unknown command) is the
    product's one sentence on stderr and exit code 2, not Click's usage box."""

    def make_context(self, *args: Any, **kwargs: Any) -> Context:
        try:
            return super().make_context(*args, **kwargs)
        except click.UsageError as error:
            _refuse(error)

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            _refuse(error)


def _refuse(error: click.UsageError) -> NoReturn:
    if isinstance(error, click.NoArgsIsHelpError):  # `bsmi-desk notice`: its help, as asked
        raise error
    typer.echo(usage_sentence(error), err=True)
    raise typer.Exit(2)


app = typer.Typer(
    name="bsmi-desk",
    help="BSMI Hsinchu branch desk: notice network, complaints and courtesy tests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=OneSentenceGroup,
)
app.command()(server.run)
app.add_typer(server.db_app, name="db")
app.command()(invite.invite)
app.command()(demo.demo)
app.add_typer(notice.notice_app, name="notice")
app.add_typer(outbox.outbox_app, name="outbox")
app.add_typer(category.category_app, name="category")
app.add_typer(case.case_app, name="case")
app.add_typer(report.report_app, name="report")
app.add_typer(courtesy.courtesy_app, name="courtesy")
app.add_typer(target.target_app, name="target")
app.add_typer(assessment.assessment_app, name="assessment")
app.add_typer(registry.registry_app, name="registry")
app.add_typer(survey.survey_app, name="survey")
app.add_typer(email.email_app, name="email")
app.add_typer(visit.visit_app, name="visit")
app.add_typer(duty.duty_app, name="duty")
app.add_typer(training.training_app, name="training")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
