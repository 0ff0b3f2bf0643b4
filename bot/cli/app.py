"""The `bsmi-desk` command line: the root that gathers each area's commands.

Every command works on a fresh database (it applies pending migrations itself), never prompts,
and reports bad input in one sentence on stderr with exit code 2, never a traceback. The root
imports its parts (one module per area, each with its own `typer.Typer()`); no part imports it.
"""

from __future__ import annotations

import sys

import typer

from bot.cli import (
    assessment,
    case,
    category,
    courtesy,
    demo,
    invite,
    notice,
    outbox,
    registry,
    report,
    server,
    survey,
    target,
)

app = typer.Typer(
    name="bsmi-desk",
    help="BSMI Hsinchu branch desk: notice network, complaints and courtesy tests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
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


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
