"""`bsmi-desk courtesy plan` and `schedule`: draw a year's calls and print them."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import cli_command, database
from bot.cli.courtesy.shared import lang
from courtesy import schedule
from kernel.i18n import t
from storage.queries.assessment import fetch_targets


@cli_command
def plan(
    year: Annotated[int, typer.Option(help="the year to plan")],
    target: Annotated[
        int | None,
        typer.Option(help="calls in the year (default: the year's courtesy target, else 80)"),
    ] = None,
    per_unit: Annotated[int, typer.Option(help="minimum calls per unit per round")] = 2,
    seed: Annotated[int | None, typer.Option(help="random seed (default: the year)")] = None,
) -> None:
    """Draw the year's three rounds of calls (the same seed gives the same plan)."""
    db = database()
    language = lang()
    if target is None:
        targets = db.read(fetch_targets, year=year)
        target = targets.courtesy
        key = "courtesy_period.target_plan" if "courtesy" in targets.defaulted else None
        typer.echo(t(language, key or "courtesy_period.plan_default", year=year, target=target))
    drawn = db.call(schedule.plan_year, year=year, target=target, per_unit=per_unit, seed=seed)
    typer.echo(
        t(language, "courtesy.plan.created", year=year, calls=len(drawn.calls), seed=drawn.seed)
    )
    if not drawn.calendar_published:
        typer.echo(t(language, "courtesy.plan.calendar_note", year=year))


@cli_command
def show_schedule(
    year: Annotated[int, typer.Option(help="the planned year")],
    csv: Annotated[
        bool,
        typer.Option(
            "--csv",
            help="CSV in the report language: a caption line, then one row per call",
        ),
    ] = False,
) -> None:
    """Print the plan: a readable list per round, or CSV with --csv (retests included)."""
    if csv:
        text = database().call(schedule.schedule_csv, year=year, language=lang())
        typer.echo(text, nl=False)
        return
    language = lang()
    views = database().call(schedule.schedule_views, year=year)
    lines: list[str] = []
    current = None
    for view in views:
        if view.round != current:
            current = view.round
            count = sum(1 for v in views if v.round == current)
            lines.append(
                t(language, "courtesy.schedule.round", year=year, round=current, calls=count)
            )
        lines.append(
            t(
                language,
                "courtesy.schedule.line",
                test=view.code,
                day=view.day.isoformat(),
                time=view.at.strftime("%H:%M"),
                unit=view.unit_name(language),
                name=view.staff_name,
                extension=view.extension,
                inspector=view.inspector_name,
                inspector_extension=view.inspector_extension,
                retest=t(language, "courtesy.schedule.retest") if view.retest_of_action_id else "",
            )
        )
    if not views:
        lines.append(t(language, "courtesy.schedule.empty", year=year))
    typer.echo("\n".join(lines))
