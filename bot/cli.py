"""The `bsmi-desk` command line: run the bot, migrate, invite, and each feature's commands.

Every command works on a fresh database (it applies pending migrations itself), never prompts,
and reports bad input in one sentence on stderr with exit code 2, never a traceback.
"""

from __future__ import annotations

import functools
import getpass
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import typer
from babel.dates import format_datetime

from bot.i18n import t
from bot.settings import Settings, SettingsError, load_settings
from storage.db import Database
from storage.errors import UserError
from storage.models import Role
from storage.queries.people import create_invite, fetch_unit_by_code, record_audit
from storage.types import utcnow

logger = logging.getLogger(__name__)

app = typer.Typer(
    name="bsmi-desk",
    help="BSMI Hsinchu branch desk: notice network, complaints and courtesy tests.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str) -> NoReturn:
    """Print one line to stderr and exit with code 2."""
    typer.echo(message, err=True)
    raise typer.Exit(code=2)


_settings: Settings | None = None
_open_databases: list[Database] = []


def cli_command(fn: F) -> F:
    """Read settings afresh, turn configuration and input errors into one line on stderr with
    exit code 2, and close every database connection the command opened."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        global _settings
        _settings = None
        try:
            result = fn(*args, **kwargs)
            if _open_databases:
                _audit_command(_open_databases[0], fn.__name__, kwargs)
            return result
        except SettingsError as exc:
            fail(str(exc))
        except UserError as exc:
            fail(t(_language(), exc.key, **exc.values))
        finally:
            while _open_databases:
                _open_databases.pop().dispose()

    return wrapper  # type: ignore[return-value]


def _audit_command(db: Database, name: str, arguments: dict[str, Any]) -> None:
    """Keep a command-line action in the audit log, with the operating-system user."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    shown = {k: str(v) for k, v in arguments.items() if v is not None and v is not False}
    db.call(
        record_audit,
        actor_telegram_id=None,
        action=f"cli.{name}"[:64],
        target=user[:128],
        detail=json.dumps(shown, ensure_ascii=False)[:2000],
    )


def settings() -> Settings:
    """Settings, read once per command."""
    global _settings
    if _settings is None:
        _settings = load_settings()
    return _settings


def _language() -> str:
    try:
        return settings().default_language
    except SettingsError:
        return "zh-TW"


def database() -> Database:
    """The configured database with every migration applied."""
    db = Database(settings().database_url)
    _open_databases.append(db)
    db.upgrade()
    return db


@app.command()
@cli_command
def run() -> None:
    """Apply migrations and run the bot (polling, or a webhook when WEBHOOK_URL is set)."""
    from bot import logs
    from bot.application import ALLOWED_UPDATES, build_application, webhook_options

    config = settings()
    token = config.require_token()
    logs.configure(token=token)
    db = database()
    application = build_application(config, db=db)
    if config.webhook_url:
        application.run_webhook(**webhook_options(config))
    else:
        application.run_polling(allowed_updates=ALLOWED_UPDATES)


@db_app.command("upgrade")
@cli_command
def db_upgrade() -> None:
    """Apply every pending migration."""
    db = database()
    typer.echo(f"database is up to date ({db.backend})")


@app.command()
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


from bot.cli_notice import category_app, notice_app  # noqa: E402 (it uses cli_command above)

app.add_typer(notice_app, name="notice")
app.add_typer(category_app, name="category")
from bot.cli_case import case_app, report_app  # noqa: E402 (it uses cli_command above)

app.add_typer(case_app, name="case")
app.add_typer(report_app, name="report")
from bot.cli_courtesy import courtesy_app  # noqa: E402 (it uses cli_command above)

app.add_typer(courtesy_app, name="courtesy")


@app.command()
@cli_command
def demo(
    out: Annotated[Path, typer.Option(help="directory for the demo database and reports")],
    lang: Annotated[str | None, typer.Option(help="zh-TW or en")] = None,
    seed: Annotated[
        int, typer.Option(help="random seed; the same seed gives the same year")
    ] = 2026,
) -> None:
    """Fill a fresh SQLite database with a realistic year and write its reports (no token)."""
    from bot.demo import build_demo

    language = lang or _language()
    if language not in ("zh-TW", "en"):
        raise UserError("cli.bad_language", value=language)
    today = utcnow().astimezone(ZoneInfo("Asia/Taipei")).date()
    result = build_demo(out=out, today=today, language=language, seed=seed)
    typer.echo(t(language, "cli.demo_database", path=str(result.database), year=result.year))
    for path in result.files:
        typer.echo(str(path))


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
