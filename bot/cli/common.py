"""What every `bsmi-desk` command shares: settings read once per command, the migrated
database, one-line failures with exit code 2, and the audit row of each command (written in the
command's first transaction that changes something, so it commits with the change it records).

Every command module imports this one; this module imports none of them.
"""

from __future__ import annotations

import functools
import getpass
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState
from sqlmodel import Session

# Typer (0.29) carries its own copy of Click: a command line typed wrong raises these.
from typer._click import exceptions as click
from typer._click.core import Parameter

from bot.mail.addresses import normalise_address
from bot.settings import Settings, SettingsError, load_settings
from kernel.errors import UserError
from kernel.i18n import LANGUAGES, t
from storage.db import Database
from storage.queries.audit import record_audit
from storage.queries.mail import keyed_hash

F = TypeVar("F", bound=Callable[..., Any])

PRIVATE_ARGUMENTS = frozenset({"address"})
"""Arguments the audit log keeps only as the install's keyed hash (`storage.queries.mail`):
`email remove ADDRESS` must not leave the address it removed in the log; the hash still lets a
person's request be matched against it, and against the hashes on delivery rows."""


def fail(message: str) -> NoReturn:
    """Print one line to stderr and exit with code 2."""
    typer.echo(message, err=True)
    raise typer.Exit(code=2)


@dataclass
class CommandAudit:
    """The audit row of the command running, until a transaction writes it."""

    row: dict[str, Any] | None = None


_settings: Settings | None = None
_open_databases: list[Database] = []
_audit = CommandAudit()


def cli_command(fn: F) -> F:
    """Read settings afresh, turn configuration and input errors into one line on stderr with
    exit code 2, close every database connection the command opened, and keep the command in
    the audit log: in the transaction of its first change, else alone once it succeeded."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        global _settings
        _settings = None
        _audit.row = _audit_row(fn.__name__, kwargs)
        try:
            result = fn(*args, **kwargs)
            if _open_databases and _audit.row is not None:
                row, _audit.row = _audit.row, None
                _open_databases[0].call(_record, row=row)
            return result
        except SettingsError as exc:
            fail(str(exc))
        except UserError as exc:
            fail(t(language(), exc.key, **exc.values))
        finally:
            _audit.row = None
            while _open_databases:
                _open_databases.pop().dispose()

    return wrapper  # type: ignore[return-value]


def _audit_row(name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    """A command-line action as an audit row, with the operating-system user."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    shown = {k: str(v) for k, v in arguments.items() if v is not None and v is not False}
    return {
        "actor_telegram_id": None,
        "action": f"cli.{name}"[:64],
        "target": user[:128],
        "detail": shown,
    }


def _normal(address: str) -> str:
    """The address as the e-mail rows hash it, or as typed when it is not one."""
    try:
        return normalise_address(address)
    except UserError:
        return address.strip().lower()


def _record(session: Session, *, row: dict[str, Any]) -> None:
    """Write the audit row, its private arguments replaced by their keyed hash."""
    detail = {
        key: f"hmac:{keyed_hash(session, text=_normal(value))}"
        if key in PRIVATE_ARGUMENTS
        else value
        for key, value in row["detail"].items()
    }
    record_audit(
        session=session,
        **{**row, "detail": json.dumps(detail, ensure_ascii=False)[:2000]},
    )


class CommandDatabase(Database):
    """The database of one command: the command's audit row joins the first transaction that
    changes something (an ORM flush or an insert, update or delete through the session), so
    the row and the change commit together or not at all. `carries_audit=False` is for `run`,
    whose transactions are the bot's."""

    def __init__(self, url: str, *, carries_audit: bool = True) -> None:
        super().__init__(url)
        self.carries_audit = carries_audit

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        wrote = False

        def note_flush(*_: Any) -> None:
            nonlocal wrote
            wrote = True

        def note_statement(state: ORMExecuteState) -> None:
            nonlocal wrote
            wrote = wrote or state.is_insert or state.is_update or state.is_delete

        carried = False
        with super().transaction() as session:
            event.listen(session, "after_flush", note_flush)
            event.listen(session, "do_orm_execute", note_statement)
            yield session
            changed = wrote or bool(session.new or session.dirty or session.deleted)
            if self.carries_audit and changed and _audit.row is not None:
                _record(session, row=_audit.row)
                carried = True
        if carried:  # committed
            _audit.row = None


def settings() -> Settings:
    """Settings, read once per command."""
    global _settings
    if _settings is None:
        _settings = load_settings()
    return _settings


def language() -> str:
    """The CLI's language: DEFAULT_LANGUAGE, or zh-TW when the settings cannot be read."""
    try:
        return settings().default_language
    except SettingsError:
        return "zh-TW"


LangOption = Annotated[
    str | None,
    typer.Option("--lang", "--language", help="zh-TW or en (default DEFAULT_LANGUAGE)"),
]
"""The language a report or listing is written in; checked by `report_language`."""
RocOption = Annotated[
    bool, typer.Option("--roc", help="ROC dates (the default in Chinese; for English)")
]
WesternOption = Annotated[bool, typer.Option("--western", help="western dates in Chinese")]


def usage_sentence(error: click.UsageError) -> str:
    """What Click says about a command line typed wrong (a bad value, a missing or unknown
    option, an unknown command), as the product's one sentence in the CLI's language."""
    lang = language()
    command = error.ctx.command_path if error.ctx is not None else "bsmi-desk"
    param = getattr(error, "param", None)
    option = _option_name(param) if param is not None else None
    if isinstance(error, click.MissingParameter) and option:
        return t(lang, "cli.usage_missing", option=option, command=command)
    if isinstance(error, click.NoSuchOption):
        return t(lang, "cli.usage_unknown_option", option=error.option_name, command=command)
    if isinstance(error, click.BadParameter) and option:
        value, accepted = _what_was_wrong(error, lang)
        return t(
            lang,
            "cli.usage_bad_value",
            option=option,
            value=value[:40],
            accepted=accepted,
            command=command,
        )
    return t(lang, "cli.usage_other", detail=error.format_message().rstrip("."), command=command)


def _what_was_wrong(error: click.BadParameter, lang: str) -> tuple[str, str]:
    """The value given and what the option takes, from the validation error behind `error`
    (Typer checks values with pydantic) or else from Click's own words."""
    errors = getattr(error.__cause__, "errors", None)
    if callable(errors):
        found = errors()[0]
        kind = str(found.get("type", ""))
        given = str(found.get("input", ""))
        if kind.startswith("int_"):
            return given, t(lang, "cli.usage_integer")
        if kind.startswith("float_") or kind.startswith("decimal_"):
            return given, t(lang, "cli.usage_number")
        expected = (found.get("ctx") or {}).get("expected")
        if expected:
            return given, t(lang, "cli.usage_choices", choices=str(expected))
        return given, str(found.get("msg", error.message)).rstrip(".")
    return "", error.message.rstrip(".")


def _option_name(param: Parameter) -> str:
    """`--year` for an option (its longest name), `ID` for an argument."""
    opts = [o for o in getattr(param, "opts", []) if o.startswith("-")]
    if opts:
        return max(opts, key=len)
    return str(getattr(param, "human_readable_name", None) or param.name or "").upper()


def report_language(given: str | None) -> str:
    """`--lang` when given, else the CLI's language; one line naming a language we don't have."""
    if given is not None and given not in LANGUAGES:
        raise UserError("cli.bad_language", value=given[:16])
    return given or language()


def database(*, carries_audit: bool = True) -> Database:
    """The configured database with every migration applied."""
    db = CommandDatabase(settings().database_url, carries_audit=carries_audit)
    _open_databases.append(db)
    db.upgrade()
    return db
