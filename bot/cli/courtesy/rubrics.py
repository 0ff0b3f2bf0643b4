"""`bsmi-desk courtesy rubric …`: list the rubric versions, add a version of a template."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import cli_command, database
from bot.cli.courtesy.shared import read
from courtesy import rubric_versions

rubric_app: typer.Typer = typer.Typer(
    help="Scoring rubrics and their versions.", no_args_is_help=True
)


@rubric_app.command("list")
@cli_command
def rubric_list() -> None:
    """Every rubric version with its items."""
    for line in database().call(rubric_versions.rubric_lines):
        typer.echo(line)


@rubric_app.command("add")
@cli_command
def rubric_add(
    template: Annotated[str, typer.Argument(help="e.g. business, switchboard, or a new name")],
    file: Annotated[Path, typer.Argument(help="JSON: a list of items as in `rubric list`")],
    name_zh: Annotated[str | None, typer.Option()] = None,
    name_en: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Add a new version of a template; results already recorded keep their version."""
    version = database().call(
        rubric_versions.add_rubric_version,
        template=template,
        text=read(file),
        name_zh=name_zh,
        name_en=name_en,
    )
    typer.echo(f"{template} v{version}")
