"""`bsmi-desk courtesy record` and `import`: one call's result, or a whole file of them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import cli_command, database, settings
from bot.cli.courtesy.shared import fail_rows, lang, now, read, today
from courtesy import scoring
from courtesy.directory import RowErrors
from courtesy.rubric import grade_label
from kernel.errors import UserError
from kernel.i18n import t


def _parse_items(values: list[str]) -> dict[str, int]:
    points: dict[str, int] = {}
    for value in values:
        code, sep, number = value.partition("=")
        if not sep or not number.strip().lstrip("-").isdigit():
            raise UserError("courtesy.results.not_number", column=code or value)
        points[code.strip()] = int(number)
    return points


def _outcome_line(language: str, recorded: scoring.Recorded) -> str:
    outcome = t(
        language,
        "courtesy.results.passed" if recorded.score.passed else "courtesy.results.failed",
    )
    if recorded.action_id is not None:
        outcome += "; " + t(
            language,
            "courtesy.results.action_opened",
            action=recorded.action_id,
            retest=recorded.retest_code or "",
        )
    return t(
        language,
        "courtesy.results.recorded",
        test=recorded.code,
        total=f"{recorded.score.total:g}",
        grade=grade_label(recorded.score.grade, language),
        outcome=outcome,
    )


@cli_command
def record(
    test_id: Annotated[str, typer.Argument(help="e.g. 2026-1-001")],
    item: Annotated[list[str] | None, typer.Option(help="CODE=POINTS, repeatable")] = None,
    rings: Annotated[int | None, typer.Option(help="rings before answering")] = None,
    seconds: Annotated[int | None, typer.Option(help="seconds before answering")] = None,
    unanswered: Annotated[bool, typer.Option(help="nobody answered (speed 0)")] = False,
    note: Annotated[str | None, typer.Option()] = None,
    amend: Annotated[bool, typer.Option(help="replace a result, keeping the old one")] = False,
    by: Annotated[str | None, typer.Option(help="recording inspector's extension")] = None,
    retest_days: Annotated[
        int | None, typer.Option(help="retest within this many days, not the next round")
    ] = None,
    early: Annotated[
        bool, typer.Option(help="record it before its scheduled time (audited)")
    ] = False,
) -> None:
    """Record one call's result; a failing one opens a corrective and preventive action."""
    points = _parse_items(item or [])
    try:
        recorded = database().call(
            scoring.record_by_extension,
            by=by,
            code=test_id,
            points=points,
            pass_mark=settings().courtesy_pass_mark,
            now=now(),
            early=early,
            rings=rings,
            seconds=seconds,
            answered=not unanswered,
            note=note,
            amend=amend,
            retest_days=retest_days,
            today=today(),
        )
    except UserError as exc:
        if exc.key == "courtesy.errors.too_early":  # here the refusal names the override
            raise UserError("courtesy.errors.too_early_cli", **exc.values) from None
        raise
    typer.echo(_outcome_line(lang(), recorded))


@cli_command
def import_results(
    file: Annotated[
        Path, typer.Argument(help="CSV: test_id,inspector,rings,seconds,<items>,note")
    ],
    amend: Annotated[bool, typer.Option()] = False,
    retest_days: Annotated[int | None, typer.Option()] = None,
    early: Annotated[
        bool, typer.Option(help="record calls before their scheduled time (audited)")
    ] = False,
) -> None:
    """Record a whole file of results, or none if any row is wrong."""
    text = read(file)
    try:
        done = database().call(
            scoring.import_results,
            text=text,
            pass_mark=settings().courtesy_pass_mark,
            recorded_by=f"import:{file.name}"[:128],
            now=now(),
            early=early,
            amend=amend,
            retest_days=retest_days,
            today=today(),
        )
    except RowErrors as exc:
        fail_rows(exc)
        return
    language = lang()
    for recorded in done:
        typer.echo(_outcome_line(language, recorded))
    typer.echo(t(language, "courtesy.results.imported", count=len(done)))
