"""`bsmi-desk courtesy actions` and `action`: list corrective actions, fill one in and move it
forward."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from bot.cli.common import cli_command, database
from bot.cli.courtesy.shared import lang
from courtesy import action_texts
from courtesy import actions as action_rules
from kernel.errors import UserError
from kernel.i18n import t
from storage.models import ActionStatus


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError("courtesy.actions.bad_date", value=value) from None


@cli_command
def list_actions(open_only: Annotated[bool, typer.Option("--open")] = False) -> None:
    """List corrective and preventive actions (with --open, those not closed), with the names
    of the people tested: the command line is the secretariat's tool on the server (in chat
    only the secretariat and administrators see names; inspectors see counts)."""
    for line in database().call(action_texts.action_list, lang=lang(), open_only=open_only):
        typer.echo(line)


@cli_command
def update_action(
    action_id: Annotated[int, typer.Argument(help="the action's number")],
    correction: Annotated[str | None, typer.Option(help="immediate correction")] = None,
    cause: Annotated[str | None, typer.Option(help="cause analysis")] = None,
    plan_text: Annotated[
        str | None, typer.Option("--plan", help="corrective and preventive actions")
    ] = None,
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
    updated = database().call(
        action_rules.update_action, action_id=action_id, change=change, to=status, actor="cli"
    )
    language = lang()
    typer.echo(
        t(
            language,
            "courtesy.actions.updated",
            action=action_id,
            status=t(language, f"courtesy.actions.status.{updated.status}"),
        )
    )
