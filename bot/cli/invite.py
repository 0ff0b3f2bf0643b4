"""`bsmi-desk invite ROLE`: a one-time 72-hour link that grants a role."""

from __future__ import annotations

from typing import Annotated

import typer
from babel.dates import format_datetime

from bot.cli.common import cli_command, database, language, settings
from bot.people import invites
from kernel.errors import UserError
from storage.models import Role


@cli_command
def invite(
    role: Annotated[str, typer.Argument(help="admin, secretariat, inspector or monitor")],
    unit: Annotated[str | None, typer.Option(help="unit code, e.g. sec1")] = None,
    bot_username: Annotated[
        str | None, typer.Option(help="bot username, to print a t.me link")
    ] = None,
) -> None:
    """Create a single-use invite link for ROLE, valid for 72 hours."""
    try:
        chosen = Role(role.lower())
    except ValueError:
        raise UserError(
            "cli.bad_role", role=role, roles=", ".join(r.value for r in Role)
        ) from None
    try:
        created = database().call(
            invites.create, role=chosen, unit_code=unit, by=None, language=language()
        )
    except invites.UnknownUnit:
        raise UserError("cli.bad_unit", unit=unit) from None
    expires = format_datetime(created.expires_at, "yyyy-MM-dd HH:mm", tzinfo=settings().tz)
    payload = f"join-{created.code}"
    link = f"https://t.me/{bot_username}?start={payload}" if bot_username else f"/start {payload}"
    typer.echo(f"{link}\nexpires {expires} ({settings().timezone})")
