"""`bsmi-desk category list|add|rename|retire|set-renewal`: subscription categories (admins)."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.common import cli_command, database, language
from bot.notices.categories import create_category, rename_category, retire_category
from bot.notices.registry import set_renewal
from kernel.clock import utcnow
from kernel.reporting import plain
from storage.queries import notices as q

category_app = typer.Typer(help="Subscription categories.", no_args_is_help=True)


@category_app.command("list")
@cli_command
def list_categories() -> None:
    """Every category: code, names, subscribers, retired or not."""
    db = database()
    with db.reading() as session:
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
    created = db.call(create_category, code=code, name_zh=name_zh, name_en=name_en)
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
    renamed = db.call(rename_category, code=code, name_zh=name_zh, name_en=name_en)
    typer.echo(f"renamed {renamed.code}: {renamed.name_zh} / {renamed.name_en}")


@category_app.command("retire")
@cli_command
def retire(code: Annotated[str, typer.Argument(help="the category code")]) -> None:
    """Retire a category: no new subscriptions or notices; history kept."""
    db = database()
    retired = db.call(retire_category, code=code)
    typer.echo(f"retired {retired.code}")


@category_app.command("set-renewal")
@cli_command
def set_renewal_text(
    code: Annotated[str, typer.Argument(help="the category code, e.g. rpc")],
    text_zh: Annotated[str, typer.Option("--zh", help="what to do, in Chinese (a link or steps)")],
    text_en: Annotated[str, typer.Option("--en", help="what to do, in English")],
) -> None:
    """Set what expiry reminders of this kind of certificate tell firms to do."""
    db = database()
    saved = db.call(set_renewal, code=code, text_zh=text_zh, text_en=text_en, now=utcnow())
    typer.echo(plain(language(), "registry.renewal_saved", code=saved))
