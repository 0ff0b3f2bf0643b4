"""`bsmi-desk notice send|status|worker` and `bsmi-desk category list|add|rename|retire`."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from bot import notices
from bot.cli import cli_command, database, settings
from bot.i18n import t
from storage.errors import UserError
from storage.queries import notices as q

notice_app = typer.Typer(help="Publish notices and follow their delivery.", no_args_is_help=True)
category_app = typer.Typer(help="Subscription categories.", no_args_is_help=True)


def parse_at(value: str) -> datetime:
    """An ISO time; without an offset it is read in the branch's time zone."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UserError("notices.bad_at", value=value) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=settings().tz)


@notice_app.command("send")
@cli_command
def send(
    category: Annotated[
        list[str], typer.Option("--category", help="category code; repeat for several")
    ],
    title: Annotated[str, typer.Option(help="the notice title")],
    body_file: Annotated[Path, typer.Option("--body-file", help="UTF-8 text file of the body")],
    attach: Annotated[Path | None, typer.Option(help="a file to attach (≤ 50 MB)")] = None,
    at: Annotated[
        str | None, typer.Option(help="ISO time to send at, e.g. 2026-12-01T09:30+08:00")
    ] = None,
) -> None:
    """Publish a notice now (or at --at); prints the notice id on its last line."""
    if not body_file.is_file():
        raise UserError("notices.body_file_missing", path=str(body_file))
    body = body_file.read_text(encoding="utf-8")
    content = None
    if attach is not None:
        if not attach.is_file():
            raise UserError("notices.attach_missing", path=str(attach))
        notices.check_attachment_size(attach.stat().st_size)
        content = attach.read_bytes()
    when = parse_at(at) if at else None
    db = database()
    published = db.call(
        notices.publish,
        title=title,
        body=body,
        codes=category,
        created_by_id=None,
        at=when,
        attachment_name=attach.name if attach else None,
        attachment_content=content,
    )
    language = settings().default_language
    key = "notice.released" if published.released else "notice.scheduled"
    typer.echo(
        t(
            language,
            key,
            notice_id=published.notice_id,
            count=published.recipients,
            when=published.scheduled_at.astimezone(settings().tz).strftime("%Y-%m-%d %H:%M"),
        )
        .replace("<b>", "")
        .replace("</b>", "")
    )
    typer.echo(published.notice_id)


@notice_app.command("status")
@cli_command
def status(
    notice_id: Annotated[int, typer.Argument(help="the notice id")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Counts of a notice's deliveries by status."""
    db = database()
    found = db.call(notices.notice_status, notice_id=notice_id)
    if as_json:
        typer.echo(json.dumps(found.as_json()))
        return
    counts = found.counts
    percent = 100 if found.total == 0 else round(100 * found.done / found.total)
    typer.echo(f"notice {found.notice_id}: {found.title} ({found.state})")
    typer.echo(
        f"total {found.total}  sent {counts['sent']}  pending {counts['pending']}  "
        f"retrying {counts['retrying']}  blocked {counts['blocked']}  failed {counts['failed']}"
        f"  ({percent}% done)"
    )


@notice_app.command("worker")
@cli_command
def worker(
    lease_seconds: Annotated[
        float, typer.Option(help="lease length; a dead worker's lease is taken over after this")
    ] = 30.0,
) -> None:
    """Run the delivery worker on its own (normally it runs inside `bsmi-desk run`)."""
    import asyncio

    from bot.delivery import serve

    settings().require_token()
    asyncio.run(serve(lease_seconds=lease_seconds))


@category_app.command("list")
@cli_command
def list_categories() -> None:
    """Every category: code, names, subscribers, retired or not."""
    db = database()
    with db.transaction() as session:
        found = q.fetch_categories(session=session, include_retired=True)
        counts = q.count_subscribers_by_category(session=session)
    for c in found:
        retired = "  (retired)" if c.retired_at else ""
        typer.echo(
            f"{c.code:<12} {c.name_zh}  {c.name_en}  "
            f"subscribers={counts.get(c.id or 0, 0)}{retired}"
        )


@category_app.command("add")
@cli_command
def add(
    code: Annotated[str, typer.Argument(help="short code used in links, e.g. toys")],
    name_zh: Annotated[str, typer.Option("--zh", help="Chinese name")],
    name_en: Annotated[str, typer.Option("--en", help="English name")],
) -> None:
    """Add a category."""
    db = database()
    created = db.call(notices.create_category, code=code, name_zh=name_zh, name_en=name_en)
    typer.echo(f"added {created.code}: {created.name_zh} / {created.name_en}")


@category_app.command("rename")
@cli_command
def rename(
    code: Annotated[str, typer.Argument(help="the category code")],
    name_zh: Annotated[str | None, typer.Option("--zh", help="new Chinese name")] = None,
    name_en: Annotated[str | None, typer.Option("--en", help="new English name")] = None,
) -> None:
    """Rename a category (its code stays, so links keep working)."""
    db = database()
    renamed = db.call(notices.rename_category, code=code, name_zh=name_zh, name_en=name_en)
    typer.echo(f"renamed {renamed.code}: {renamed.name_zh} / {renamed.name_en}")


@category_app.command("retire")
@cli_command
def retire(code: Annotated[str, typer.Argument(help="the category code")]) -> None:
    """Retire a category: no new subscriptions or notices; history kept."""
    db = database()
    retired = db.call(notices.retire_category, code=code)
    typer.echo(f"retired {retired.code}")
