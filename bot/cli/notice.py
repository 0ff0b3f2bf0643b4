"""`bsmi-desk notice send|status|worker`: publish notices and follow their delivery."""

from __future__ import annotations

import html
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import cli_command, database, fail, settings
from bot.notices.publishing import check_attachment_size, publish
from bot.notices.registry import SHOWN_PROBLEMS
from bot.notices.status import notice_status
from bot.notices.targeting import BadList, reach, read_tax_ids
from kernel.errors import UserError
from kernel.i18n import t
from kernel.reporting import plain
from kernel.textfiles import BIG5, read_text_file

notice_app = typer.Typer(help="Publish notices and follow their delivery.", no_args_is_help=True)


def parse_at(value: str) -> datetime:
    """An ISO time; without an offset it is read in the branch's time zone."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise UserError("notices.bad_at", value=value) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=settings().tz)


def read_body(path: Path) -> str:
    """The body file as text, UTF-8 or else Big5 (said on stderr); one sentence if unreadable."""
    found = read_text_file(path)
    if found.encoding == BIG5:
        typer.echo(
            t(settings().default_language, "files.read_as", path=str(path), encoding=BIG5),
            err=True,
        )
    return found.text


def read_attachment(path: Path) -> bytes:
    """The attachment's bytes, checked against the Bot API's upload limit first."""
    if not path.is_file():
        raise UserError("notices.attach_missing", path=str(path))
    try:
        check_attachment_size(path.stat().st_size)
        return path.read_bytes()
    except OSError as exc:
        raise UserError(
            "files.unreadable", path=str(path), reason=exc.strerror or str(exc)
        ) from None


def read_tax_id_file(path: Path) -> list[str]:
    """The 統一編號 of a list file; every invalid one on stderr with its line, then exit 2."""
    source = read_text_file(path)
    try:
        return read_tax_ids(source.text)
    except BadList as error:
        language = settings().default_language
        for problem in error.problems[:SHOWN_PROBLEMS]:
            text = plain(language, problem.key, **problem.values)
            typer.echo(
                plain(language, "registry.problem_line", line=problem.line, problem=text),
                err=True,
            )
        fail(t(language, error.key, **error.values))


NOTICE_ID_MAX = 2**63 - 1
"""The largest id a notice row can have (a 64-bit column); beyond it there is no such notice."""


@notice_app.command("send")
@cli_command
def send(
    title: Annotated[str, typer.Option(help="the notice title")],
    body_file: Annotated[
        Path, typer.Option("--body-file", help="text file of the body (UTF-8 or Big5)")
    ],
    category: Annotated[
        list[str] | None, typer.Option("--category", help="category code; repeat for several")
    ] = None,
    tax_ids: Annotated[
        Path | None,
        typer.Option(
            "--tax-ids",
            help="file of 統一編號: one a line, or a CSV with a tax_id column "
            "(their firms' chats receive it too, each chat once)",
        ),
    ] = None,
    attach: Annotated[Path | None, typer.Option(help="a file to attach (≤ 50 MB)")] = None,
    at: Annotated[
        str | None, typer.Option(help="ISO time to send at, e.g. 2026-12-01T09:30+08:00")
    ] = None,
    no_archive: Annotated[
        bool,
        typer.Option(
            "--no-archive",
            help="keep it off the public pages (a notice to categories is there once sent)",
        ),
    ] = False,
) -> None:
    """Publish a notice to categories and/or firms by 統一編號, now (or at --at); prints the
    notice id on its last line. A notice to categories alone is on the public pages unless
    --no-archive is given; one to a list of 統一編號 never is."""
    if not category and tax_ids is None:
        raise UserError("targeting.no_audience")
    numbers = read_tax_id_file(tax_ids) if tax_ids is not None else []
    if not body_file.is_file():
        raise UserError("notices.body_file_missing", path=str(body_file))
    body = read_body(body_file)
    content = read_attachment(attach) if attach is not None else None
    when = parse_at(at) if at else None
    db = database()
    published = db.call(
        publish,
        title=title,
        body=body,
        codes=category or [],
        created_by_id=None,
        tax_ids=numbers,
        at=when,
        attachment_name=attach.name if attach else None,
        attachment_content=content,
        archive=not no_archive,
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
    if numbers:
        found = db.call(reach, tax_ids=numbers)
        typer.echo(plain(language, "targeting.unreached", count=len(found.unreached)))
    typer.echo(published.notice_id)


@notice_app.command("status")
@cli_command
def status(
    notice_id: Annotated[int, typer.Argument(help="the notice id")],
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    unreached: Annotated[
        bool,
        typer.Option("--unreached", help="print the listed 統一編號 the notice did not reach"),
    ] = False,
) -> None:
    """Counts of a notice's deliveries by status, and whether delivery is paused by an error."""
    if not 0 < notice_id <= NOTICE_ID_MAX:
        raise UserError("notices.unknown_notice", notice_id=notice_id)
    db = database()
    found = db.call(notice_status, notice_id=notice_id)
    paused = found.paused
    if unreached:
        for number in found.unreached:
            typer.echo(number)
        return
    if as_json:
        typer.echo(json.dumps({**found.as_json(), "paused": paused and paused.as_json()}))
        return
    counts = found.counts
    language = settings().default_language
    typer.echo(f"notice {found.notice_id}: {found.title} ({found.state})")
    typer.echo(
        f"total {found.total}  sent {counts['sent']}  pending {counts['pending']}  "
        f"retrying {counts['retrying']}  blocked {counts['blocked']}  failed {counts['failed']}"
        f"  unknown {counts['unknown']}  ({found.percent}% done)"
    )
    if found.email_total:
        email = found.email
        typer.echo(
            f"e-mail {found.email_total}  sent {email['sent']}  pending {email['pending']}  "
            f"retrying {email['retrying']}  failed {email['failed']}  unknown {email['unknown']}"
        )
    if counts["unknown"]:
        typer.echo(t(language, "delivery.unknown", count=counts["unknown"]))
    if found.unreached:
        typer.echo(plain(language, "targeting.unreached", count=len(found.unreached)))
    if paused is not None:
        tz = settings().tz
        since = f"{paused.since.astimezone(tz):%Y-%m-%d %H:%M} ({tz.key})"
        key = "delivery.silent" if paused.silent else "delivery.paused"
        typer.echo(html.unescape(t(language, key, since=since, reason=paused.reason)))


@notice_app.command("worker")
@cli_command
def worker(
    lease_seconds: Annotated[
        float, typer.Option(help="lease length; a dead worker's lease is taken over after this")
    ] = 30.0,
) -> None:
    """Run the delivery worker on its own (normally it runs inside `bsmi-desk run`)."""
    import asyncio

    from bot.delivery.service import serve

    asyncio.run(serve(settings(), lease_seconds=lease_seconds))
