"""`bsmi-desk invite ROLE`: a one-time 72-hour link that grants a role."""

from __future__ import annotations

from typing import Annotated

import typer
from babel.dates import format_datetime

from bot.cli.common import cli_command, database, settings
from kernel.errors import UserError
from storage.models import Role
from storage.queries.people import create_invite, fetch_unit_by_code


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
    db = database()
    with db.transaction() as session:
        unit_id = None
        if unit is not None:
            found = fetch_unit_by_code(session=session, code=unit)
            if found is None:
                raise UserError("cli.bad_unit", unit=unit)
            unit_id = found.id
        created = create_invite(session=session, role=chosen, unit_id=unit_id, created_by_id=None)
        code, expires_at = created.code, created.expires_at
    expires = format_datetime(expires_at, "yyyy-MM-dd HH:mm", tzinfo=settings().tz)
    payload = f"join-{code}"
    link = f"https://t.me/{bot_username}?start={payload}" if bot_username else f"/start {payload}"
    typer.echo(f"{link}\nexpires {expires} ({settings().timezone})")
