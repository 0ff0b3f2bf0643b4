"""`bsmi-desk training add|list`: professional training sessions (一(一)3), counted against the
year's target (`target set --training`, 26 by the plan)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from bot.cli.common import cli_command, database, language, settings
from bot.cli.duty import day_option, operator
from bot.duties.texts import session_line
from bot.duties.training import add_training, list_training
from kernel.clock import today
from kernel.periods import Period
from kernel.reporting import plain
from storage.queries.duties import fetch_training_progress

training_app: typer.Typer = typer.Typer(help="Training sessions.", no_args_is_help=True)


@training_app.command("add")
@cli_command
def add(
    on: Annotated[str, typer.Option(help="the day it was held, 2027-03-12 or 116/03/12")],
    unit: Annotated[str, typer.Option(help="the unit that held it, e.g. sec1")],
    title: Annotated[str, typer.Option(help="what it taught")],
    hours: Annotated[float, typer.Option(help="its length in hours (halves allowed)")],
    attendees: Annotated[int, typer.Option(help="how many attended")],
    audience: Annotated[str, typer.Option(help="staff or firms")] = "staff",
) -> None:
    """Record a training session held."""
    lang = language()
    row, found = database().call(
        add_training,
        held_on=day_option(on),
        unit=unit,
        title=title,
        hours=hours,
        attendees=attendees,
        audience=audience,
        today=today(settings().tz),
        by=operator(),
    )
    typer.echo(plain(lang, "training.added", line=session_line(plain, lang, row, found)))


@training_app.command("list")
@cli_command
def list_(year: Annotated[int, typer.Option(help="the year, e.g. 2027")]) -> None:
    """A year's sessions, then sessions, hours and attendees against the year's target."""
    lang = language()
    db = database()
    rows = db.call(list_training, year=year)
    for row, unit in rows:
        typer.echo(session_line(plain, lang, row, unit))
    progress = db.call(fetch_training_progress, period=Period(year), today=date(year, 12, 31))
    typer.echo(
        plain(
            lang,
            "training.total",
            year=year,
            sessions=progress.total.sessions,
            hours=f"{progress.total.hours:g}",
            attendees=progress.total.attendees,
            target=progress.target,
            share=f"{(progress.progress or 0) * 100:.0f}",
            source=plain(
                lang, "training.source_plan" if progress.defaulted else "training.source_set"
            ),
        )
    )
