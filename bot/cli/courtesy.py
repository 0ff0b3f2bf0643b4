"""`bsmi-desk courtesy …`: directory, plan, schedule, results, corrective actions, reports."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from sqlmodel import Session

from bot.cli.common import cli_command, database, fail, settings
from courtesy import actions as action_rules
from courtesy import directory, reports, schedule, scoring
from courtesy.directory import RowErrors
from courtesy.rubric import grade_label, parse_items
from kernel.clock import utcnow
from kernel.errors import UserError
from kernel.i18n import t
from storage.models import ActionStatus, CourtesyRubric
from storage.queries.courtesy import (
    fetch_actions,
    fetch_latest_rubric,
    fetch_rubrics,
    fetch_staff,
    fetch_staff_by_extension,
    fetch_unit_codes,
)

T = TypeVar("T")

courtesy_app: typer.Typer = typer.Typer(help="Telephone courtesy tests.", no_args_is_help=True)
staff_app: typer.Typer = typer.Typer(help="The staff directory.", no_args_is_help=True)
rubric_app: typer.Typer = typer.Typer(
    help="Scoring rubrics and their versions.", no_args_is_help=True
)
courtesy_app.add_typer(staff_app, name="staff")
courtesy_app.add_typer(rubric_app, name="rubric")


@contextmanager
def _session() -> Iterator[Session]:
    """One transaction on the configured database, whose connections are closed afterwards."""
    db = database()
    try:
        with db.transaction() as session:
            yield session
    finally:
        db.dispose()


def _call(fn: Callable[..., T], /, **kwargs: Any) -> T:
    """`fn(session=…, **kwargs)` in one transaction (see `_session`)."""
    with _session() as session:
        return fn(session=session, **kwargs)


def _lang() -> str:
    return settings().default_language


def _today() -> date:
    return utcnow().astimezone(settings().tz).date()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: {exc.strerror if isinstance(exc, OSError) else exc}")


def _fail_rows(exc: RowErrors) -> None:
    lang = _lang()
    lines = [t(lang, exc.key, **exc.values)]
    for problem in exc.problems:
        text = t(lang, problem.key, **problem.values)
        lines.append(t(lang, "courtesy.staff.row_line", line=problem.line, problem=text))
    fail("\n".join(lines))


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError("courtesy.actions.bad_date", value=value) from None


@staff_app.command("import")
@cli_command
def staff_import(
    file: Annotated[Path, typer.Argument(help="CSV: unit,name,extension,inspector")],
) -> None:
    """Import the directory; updates by extension and deactivates who is no longer listed."""
    text = _read(file)
    try:
        summary = _call(directory.import_staff, text=text)
    except RowErrors as exc:
        _fail_rows(exc)
        return
    typer.echo(
        t(
            _lang(),
            "courtesy.staff.imported",
            added=summary.added,
            updated=summary.updated,
            unchanged=summary.unchanged,
            deactivated=summary.deactivated,
        )
    )
    if summary.stranded:
        shown = ", ".join(summary.stranded[:20])
        more = len(summary.stranded) - 20
        typer.echo(
            t(
                _lang(),
                "courtesy.staff.stranded",
                count=len(summary.stranded),
                tests=shown + (f" (+{more})" if more > 0 else ""),
            ),
            err=True,
        )


@staff_app.command("link")
@cli_command
def staff_link(
    extension: Annotated[str, typer.Argument(help="the inspector's extension")],
    telegram_id: Annotated[int, typer.Argument(help="their Telegram user id")],
) -> None:
    """Link an inspector to their Telegram account (and grant the inspector role)."""
    staff = _call(directory.link_inspector, extension=extension, telegram_id=telegram_id)
    typer.echo(
        t(
            _lang(),
            "courtesy.staff.linked",
            extension=staff.extension,
            name=staff.name,
            telegram_id=telegram_id,
        )
    )


@staff_app.command("list")
@cli_command
def staff_list(all_staff: Annotated[bool, typer.Option("--all")] = False) -> None:
    """Print the directory as CSV."""
    with _session() as session:
        units = fetch_unit_codes(session=session)
        rows = fetch_staff(session=session, active_only=not all_staff)
        typer.echo("unit,name,extension,inspector,switchboard,active,linked")
        for s in rows:
            flags = [
                s.is_inspector,
                s.template == "switchboard",
                s.active,
                s.person_id is not None,
            ]
            yes_no = ",".join("yes" if f else "no" for f in flags)
            typer.echo(f"{units[s.unit_id].code},{s.name},{s.extension},{yes_no}")


@courtesy_app.command("plan")
@cli_command
def plan(
    year: Annotated[int, typer.Option(help="the year to plan")],
    target: Annotated[int, typer.Option(help="calls in the year")] = 80,
    per_unit: Annotated[int, typer.Option(help="minimum calls per unit per round")] = 2,
    seed: Annotated[int | None, typer.Option(help="random seed (default: the year)")] = None,
) -> None:
    """Draw the year's three rounds of calls (the same seed gives the same plan)."""
    drawn = _call(schedule.plan_year, year=year, target=target, per_unit=per_unit, seed=seed)
    lang = _lang()
    typer.echo(
        t(lang, "courtesy.plan.created", year=year, calls=len(drawn.calls), seed=drawn.seed)
    )
    if not drawn.calendar_published:
        typer.echo(t(lang, "courtesy.plan.calendar_note", year=year))


@courtesy_app.command("schedule")
@cli_command
def show_schedule(
    year: Annotated[int, typer.Option(help="the planned year")],
    csv: Annotated[
        bool,
        typer.Option(
            "--csv",
            help="CSV: test_id,round,date,time,unit,staff,extension,inspector,inspector_unit",
        ),
    ] = False,
) -> None:
    """Print the plan: a readable list per round, or CSV with --csv (retests included)."""
    if csv:
        typer.echo(_call(schedule.schedule_csv, year=year), nl=False)
        return
    lang = _lang()
    views = _call(schedule.schedule_views, year=year)
    lines: list[str] = []
    current = None
    for view in views:
        if view.round != current:
            current = view.round
            count = sum(1 for v in views if v.round == current)
            lines.append(t(lang, "courtesy.schedule.round", year=year, round=current, calls=count))
        lines.append(
            t(
                lang,
                "courtesy.schedule.line",
                test=view.code,
                day=view.day.isoformat(),
                time=view.at.strftime("%H:%M"),
                unit=view.unit_name(lang),
                name=view.staff_name,
                extension=view.extension,
                inspector=view.inspector_name,
                inspector_extension=view.inspector_extension,
                retest=t(lang, "courtesy.schedule.retest") if view.retest_of_action_id else "",
            )
        )
    if not views:
        lines.append(t(lang, "courtesy.schedule.empty", year=year))
    typer.echo("\n".join(lines))


def _parse_items(values: list[str]) -> dict[str, int]:
    points: dict[str, int] = {}
    for value in values:
        code, sep, number = value.partition("=")
        if not sep or not number.strip().lstrip("-").isdigit():
            raise UserError("courtesy.results.not_number", column=code or value)
        points[code.strip()] = int(number)
    return points


def _outcome_line(lang: str, recorded: scoring.Recorded) -> str:
    outcome = t(
        lang, "courtesy.results.passed" if recorded.score.passed else "courtesy.results.failed"
    )
    if recorded.action_id is not None:
        outcome += "; " + t(
            lang,
            "courtesy.results.action_opened",
            action=recorded.action_id,
            retest=recorded.retest_code or "",
        )
    return t(
        lang,
        "courtesy.results.recorded",
        test=recorded.code,
        total=f"{recorded.score.total:g}",
        grade=grade_label(recorded.score.grade, lang),
        outcome=outcome,
    )


@courtesy_app.command("record")
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
) -> None:
    """Record one call's result; a failing one opens a corrective action."""
    points = _parse_items(item or [])
    config = settings()
    with _session() as session:
        inspector_ids = None
        if by is not None:
            inspector = fetch_staff_by_extension(session=session, extension=by)
            if inspector is None:
                raise UserError("courtesy.errors.unknown_extension", extension=by)
            inspector_ids = [inspector.id or 0]
        recorded = scoring.record_result(
            session=session,
            code=test_id,
            points=points,
            pass_mark=config.courtesy_pass_mark,
            recorded_by=f"cli:{by}" if by else "cli",
            rings=rings,
            seconds=seconds,
            answered=not unanswered,
            note=note,
            inspector_ids=inspector_ids,
            amend=amend,
            retest_days=retest_days,
            today=_today(),
        )
    typer.echo(_outcome_line(_lang(), recorded))


@courtesy_app.command("import")
@cli_command
def import_results(
    file: Annotated[
        Path, typer.Argument(help="CSV: test_id,inspector,rings,seconds,<items>,note")
    ],
    amend: Annotated[bool, typer.Option()] = False,
    retest_days: Annotated[int | None, typer.Option()] = None,
) -> None:
    """Record a whole file of results, or none if any row is wrong."""
    text = _read(file)
    try:
        done = _call(
            scoring.import_results,
            text=text,
            pass_mark=settings().courtesy_pass_mark,
            recorded_by=f"import:{file.name}",
            amend=amend,
            retest_days=retest_days,
            today=_today(),
        )
    except RowErrors as exc:
        _fail_rows(exc)
        return
    lang = _lang()
    for recorded in done:
        typer.echo(_outcome_line(lang, recorded))
    typer.echo(t(lang, "courtesy.results.imported", count=len(done)))


@courtesy_app.command("actions")
@cli_command
def list_actions(open_only: Annotated[bool, typer.Option("--open")] = False) -> None:
    """List corrective actions (with --open, those not closed)."""
    lang = _lang()
    with _session() as session:
        found = fetch_actions(session=session, open_only=open_only)
        if not found:
            typer.echo(t(lang, "courtesy.actions.none"))
            return
        from bot.handlers.courtesy import action_lines  # the chat and the CLI share it

        for line in action_lines(session, found, lang):
            typer.echo(line)


@courtesy_app.command("action")
@cli_command
def update_action(
    action_id: Annotated[int, typer.Argument(help="the action's number")],
    correction: Annotated[str | None, typer.Option(help="immediate correction")] = None,
    cause: Annotated[str | None, typer.Option(help="cause analysis")] = None,
    plan_text: Annotated[str | None, typer.Option("--plan", help="corrective actions")] = None,
    owner: Annotated[str | None, typer.Option()] = None,
    due: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    done: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    evidence: Annotated[str | None, typer.Option()] = None,
    verification: Annotated[
        str | None, typer.Option(help="supervisor's written verification")
    ] = None,
    verified_by: Annotated[str | None, typer.Option(help="the supervisor's name")] = None,
    note: Annotated[str | None, typer.Option()] = None,
    to: Annotated[
        str | None, typer.Option(help="planned, implemented, verified or closed")
    ] = None,
) -> None:
    """Fill in an action and move it forward (closing needs a passing retest or verification)."""
    status = None
    if to is not None:
        try:
            status = ActionStatus(to.lower())
        except ValueError:
            raise UserError("courtesy.actions.bad_status", status=to) from None
    change = action_rules.ActionChange(
        correction=correction,
        cause=cause,
        plan=plan_text,
        owner=owner,
        due_on=_date(due),
        done_on=_date(done),
        evidence=evidence,
        verification=verification,
        verified_by=verified_by,
        note=note,
    )
    updated = _call(
        action_rules.update_action, action_id=action_id, change=change, to=status, actor="cli"
    )
    lang = _lang()
    typer.echo(
        t(
            lang,
            "courtesy.actions.updated",
            action=action_id,
            status=t(lang, f"courtesy.actions.status.{updated.status}"),
        )
    )


@courtesy_app.command("report")
@cli_command
def report(
    out: Annotated[Path, typer.Option(help="directory for the HTML, CSV and PNG")],
    round_: Annotated[str | None, typer.Option("--round", help="YEAR-ROUND, e.g. 2026-1")] = None,
    year: Annotated[int | None, typer.Option(help="a whole year")] = None,
    language: Annotated[
        str | None, typer.Option("--lang", "--language", help="zh-TW or en")
    ] = None,
) -> None:
    """Write a round (or year) report as courtesy-….html, .csv and .png."""
    if language is not None and language not in ("zh-TW", "en"):
        raise UserError("courtesy.report.bad_language", language=language[:16])
    lang = language or _lang()
    if (round_ is None) == (year is None):
        raise UserError("courtesy.report.bad_round", round=round_ or "")
    with _session() as session:
        if round_ is not None:
            y, n = reports.parse_round(round_)
            built = reports.build_round_report(
                session=session,
                year=y,
                number=n,
                language=lang,
                pass_mark=settings().courtesy_pass_mark,
                today=_today(),
            )
        else:
            assert year is not None
            built = reports.build_year_report(
                session=session,
                year=year,
                language=lang,
                pass_mark=settings().courtesy_pass_mark,
                today=_today(),
            )
    files = reports.write_report(built, out)
    typer.echo(t(lang, "courtesy.report.written", files=", ".join(str(f) for f in files)))


@rubric_app.command("list")
@cli_command
def rubric_list() -> None:
    """Every rubric version with its items."""
    with _session() as session:
        for row in fetch_rubrics(session=session):
            items = ", ".join(f"{i['code']}:{i['max']}" for i in row.items)
            typer.echo(f"{row.template} v{row.version} ({row.name_zh} / {row.name_en}): {items}")


@rubric_app.command("add")
@cli_command
def rubric_add(
    template: Annotated[str, typer.Argument(help="e.g. business, switchboard, or a new name")],
    file: Annotated[Path, typer.Argument(help="JSON: a list of items as in `rubric list`")],
    name_zh: Annotated[str | None, typer.Option()] = None,
    name_en: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Add a new version of a template; results already recorded keep their version."""
    try:
        data = json.loads(_read(file))
    except json.JSONDecodeError:
        raise UserError("courtesy.errors.rubric_shape") from None
    items = parse_items(data)
    with _session() as session:
        latest = fetch_latest_rubric(session=session, template=template)
        row = CourtesyRubric(
            template=template,
            version=(latest.version + 1) if latest else 1,
            name_zh=name_zh or (latest.name_zh if latest else template),
            name_en=name_en or (latest.name_en if latest else template),
            items=[i.to_json() for i in items],
        )
        session.add(row)
        session.flush()
        version = row.version
    typer.echo(f"{template} v{version}")
