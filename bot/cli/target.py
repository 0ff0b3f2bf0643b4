"""`bsmi-desk target set --year 2027 --public 350 --monitor 250 --courtesy 80 --training 26`
(any subset) and `bsmi-desk target list`: the yearly targets the reports count against."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer

from bot.assessment.targets import list_targets, set_targets
from bot.cli.common import cli_command, database, language
from kernel.i18n import t
from storage.queries.assessment import Targets

target_app: typer.Typer = typer.Typer(help="Yearly targets.", no_args_is_help=True)


def operator() -> str:
    """Who runs the command, as score and target rows record it."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def _line(lang: str, key: str, targets: Targets) -> str:
    marker = t(lang, "targets.plan_marker")
    shown = {
        name: f"{getattr(targets, name)}{marker if name in targets.defaulted else ''}"
        for name in ("public", "monitor", "courtesy")
    }
    training = f"{targets.training}{marker if 'training' in targets.defaulted else ''}"
    return t(lang, key, year=targets.year, **shown) + t(lang, f"{key}_training", training=training)


@target_app.command("set")
@cli_command
def set_(
    year: Annotated[int, typer.Option(help="the year, e.g. 2027")],
    public: Annotated[int | None, typer.Option(help="public reports and complaints")] = None,
    monitor: Annotated[int | None, typer.Option(help="monitor reports")] = None,
    courtesy: Annotated[int | None, typer.Option(help="courtesy calls")] = None,
    training: Annotated[int | None, typer.Option(help="training sessions")] = None,
) -> None:
    """Set some of a year's targets; the others stay (or fall back to the plan's)."""
    saved = database().call(
        set_targets,
        year=year,
        figures={
            "public": public,
            "monitor": monitor,
            "courtesy": courtesy,
            "training": training,
        },
        by=operator(),
    )
    typer.echo(_line(language(), "targets.saved", saved))


@target_app.command("list")
@cli_command
def list_() -> None:
    """Every year with targets set ("(plan)" marks a figure that falls back)."""
    lang = language()
    rows = database().call(list_targets)
    if not rows:
        typer.echo(t(lang, "targets.list_empty"))
    for targets in rows:
        typer.echo(_line(lang, "targets.list_line", targets))
