"""`bsmi-desk duty list|add|done`: the plan's recurring duties (定期工作), what is due and
overdue, a new duty, and an occurrence done with a note and files (copied under
`data/duties/`, named by their SHA-256, so a file is kept once however often it is shown)."""

from __future__ import annotations

import getpass
import hashlib
import shutil
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import cli_command, database, language, settings
from bot.duties.records import HORIZON, Evidence, Overview, add_duty, complete, overview
from bot.duties.texts import occurrence_line
from kernel.clock import today
from kernel.dates import parse_day
from kernel.errors import UserError
from kernel.reporting import plain

duty_app: typer.Typer = typer.Typer(help="Recurring duties (定期工作).", no_args_is_help=True)

EVIDENCE_DIR = Path("data") / "duties"
"""Where `duty done --file` copies its files (relative to the working directory, beside the
default database)."""


def operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def day_option(raw: str) -> date:
    found = parse_day(raw)
    if found is None:
        raise UserError("duties.bad_date", value=raw)
    return found


def overview_lines(
    lang: str, found: Overview, *, due: bool, overdue: bool, done: bool
) -> list[str]:
    lines: list[str] = []
    for wanted, key, rows in (
        (overdue, "duties.list_overdue", found.overdue),
        (due, "duties.list_due", found.due),
        (done, "duties.list_done", found.done),
    ):
        if not wanted:
            continue
        lines.append(plain(lang, key, count=len(rows)))
        lines += [occurrence_line(plain, lang, row) for row in rows] or [
            plain(lang, "duties.none")
        ]
    return lines


@duty_app.command("list")
@cli_command
def list_(
    due_within: Annotated[
        int | None, typer.Option(help="only those due within DAYS days", min=0, max=366)
    ] = None,
    overdue: Annotated[bool, typer.Option(help="only those overdue")] = False,
) -> None:
    """What is due (next 30 days), overdue and done in the last 30 days; each with its id."""
    lang = language()
    found = database().call(
        overview, today=today(settings().tz), within=HORIZON if due_within is None else due_within
    )
    everything = due_within is None and not overdue
    for line in overview_lines(
        lang,
        found,
        due=everything or due_within is not None,
        overdue=everything or overdue,
        done=everything,
    ):
        typer.echo(line)


@duty_app.command("add")
@cli_command
def add(
    title_zh: Annotated[str, typer.Option(help="the name in Chinese")],
    title_en: Annotated[str, typer.Option(help="the name in English")],
    unit: Annotated[str, typer.Option(help="the owner unit's code, e.g. secretariat")],
    every: Annotated[
        str | None, typer.Option(help="monthly, quarterly, half-yearly or yearly")
    ] = None,
    day: Annotated[int | None, typer.Option(help="the day of the month it falls on")] = None,
    month: Annotated[int | None, typer.Option(help="its (first) month")] = None,
    on: Annotated[list[str] | None, typer.Option(help="a fixed date each year, MM-DD")] = None,
    starts: Annotated[str | None, typer.Option("--from", help="first day (default today)")] = None,
    facility: Annotated[
        bool, typer.Option(help="counted under 服務友善 in the evidence (facilities, website)")
    ] = True,
) -> None:
    """A new recurring duty: `--every … --day D [--month M]`, or `--on MM-DD` (repeatable)."""
    lang = language()
    first = today(settings().tz) if starts is None else day_option(starts)
    duty = database().call(
        add_duty,
        title_zh=title_zh,
        title_en=title_en,
        unit=unit,
        every=every or ("dates" if on else ""),
        day=day,
        month=month,
        on=on or [],
        starts_on=first,
        facility=facility,
        by=operator(),
    )
    typer.echo(plain(lang, "duties.added", id=duty.id, title=duty.title_in(lang)))


def keep_file(path: Path) -> Evidence:
    """Copy the file under EVIDENCE_DIR, named by its SHA-256 and its own name."""
    if not path.is_file():
        raise UserError("duties.file_missing", path=str(path))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    target = EVIDENCE_DIR / f"{digest[:16]}-{path.name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        shutil.copyfile(path, target)
    return Evidence(kind="file", path=str(target), file_name=path.name[:256])


@duty_app.command("done")
@cli_command
def done(
    occurrence_id: Annotated[int, typer.Argument(help="the occurrence's id from `duty list`")],
    on: Annotated[str, typer.Option(help="the day it was done, 2027-02-05 or 116/02/05")],
    note: Annotated[str, typer.Option(help="what was done")],
    file: Annotated[
        list[Path] | None, typer.Option(help="a photo or document (repeatable)")
    ] = None,
) -> None:
    """Record an occurrence done, with a note and files."""
    lang = language()
    done_on = day_option(on)
    files = [keep_file(p) for p in file or []]
    row = database().call(
        complete,
        occurrence_id=occurrence_id,
        on=done_on,
        note=note,
        files=files,
        today=today(settings().tz),
        by=operator(),
    )
    typer.echo(plain(lang, "duties.done_saved", id=occurrence_id, title=row[1].title_in(lang)))
