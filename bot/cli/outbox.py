"""`bsmi-desk outbox unknown|resend`: the deliveries Telegram never answered, for a person to
check and, where the message did not arrive, send again."""

from __future__ import annotations

import getpass
import json
from typing import Annotated

import typer

from bot.cli.common import cli_command, database, language, settings
from bot.notices.unknown import resend as resend_rows
from bot.notices.unknown import unknown_deliveries
from kernel.clock import utcnow
from kernel.reporting import plain
from storage.queries.outbox.unknown import UnknownDelivery

outbox_app = typer.Typer(
    help="Deliveries left unknown (sent, no answer): list them, resend after a check.",
    no_args_is_help=True,
)


@outbox_app.command("unknown")
@cli_command
def unknown(
    notice: Annotated[
        int | None, typer.Option("--notice", help="only this outbox message")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """List the deliveries left unknown: Telegram took the send but its answer never came, so
    the message may have arrived. Check with the recipient before `outbox resend`."""
    lang = language()
    rows = database().call(unknown_deliveries, notice_id=notice)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "unknown": [
                        {
                            "delivery_id": r.id,
                            "notice_id": r.notice_id,
                            "kind": r.kind,
                            "channel": r.channel,
                            "chat_id": r.chat_id,
                            "email_id": r.email_id,
                            "tried_at": r.tried_at.isoformat(),
                            "last_error": r.last_error,
                        }
                        for r in rows
                    ]
                },
                ensure_ascii=False,
            )
        )
        return
    if not rows:
        typer.echo(plain(lang, "outbox.none_unknown"))
        return
    tz = settings().tz
    typer.echo(plain(lang, "outbox.unknown_header", count=len(rows)))
    for r in rows:
        typer.echo(
            plain(
                lang,
                "outbox.unknown_line",
                delivery_id=r.id,
                notice_id=r.notice_id,
                kind=r.kind,
                title=r.title[:60],
                recipient=recipient(lang, r),
                at=r.tried_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                error=r.last_error or "—",
            )
        )


def recipient(lang: str, row: UnknownDelivery) -> str:
    """Whom an unknown row went to: a chat, an e-mail subscriber, or an address removed since."""
    if row.channel == "email":
        if row.email_id is None:
            return plain(lang, "outbox.recipient_gone")
        return plain(lang, "outbox.recipient_email", email_id=row.email_id)
    return plain(lang, "outbox.recipient_chat", chat_id=row.chat_id)


@outbox_app.command("resend")
@cli_command
def resend(
    delivery_ids: Annotated[list[int], typer.Argument(help="delivery ids from `outbox unknown`")],
) -> None:
    """Send these unknown deliveries again, after a person made sure they did not arrive (one
    transaction, audited; refused, nothing changed, if any id is not an unknown delivery)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    count = database().call(resend_rows, ids=delivery_ids, now=utcnow(), checked_by=user)
    typer.echo(plain(language(), "outbox.resent", count=count))
