"""Button data parsed strictly, and the one answer to a button that is stale or forged.

Telegram hands back whatever callback data a client puts in a press, so it is input like any
text: `case:a:close`, `roles:page:²` or a twenty-digit number must reach neither a handler's
`int()` nor the database. Every press goes through `parse` before people are loaded: ASCII
only, at most 64 bytes (Telegram's limit), a prefix some feature declared, parts of letters,
digits, `_`, `-` and `.`, and numbers of ASCII digits no larger than a database integer.

A press is stale, answered once with `buttons.stale` as an alert and logged at INFO without a
traceback (a log anyone can flood is a log nobody reads), when its data does not parse, when
no handler takes it (`register_fallback`, the last button handler), or when its handler finds
it malformed: `ButtonData.integer`/`text` raise `StaleButton`, and the error handler treats it,
like a ValueError raised in the handler's own code (an unpacking `split`, an `int()`), as stale.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from dataclasses import dataclass
from types import TracebackType

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, TypeHandler

from bot.edge import registry
from bot.edge.context import BotApplication, BotContext
from kernel.i18n import t
from storage.queries.people import fetch_person_view

logger = logging.getLogger(__name__)

MAX_BYTES = 64
MAX_INT = 2**31 - 1
"""The largest number a button may carry: buttons carry row ids, and PostgreSQL's INTEGER
stops here (SQLite's at 2**63 - 1); a Telegram id never goes into callback data."""
GROUP = -9
"""After the private-chat guard (-10), before people are loaded (-1)."""
_PART = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_NUMBER = re.compile(r"[0-9]{1,10}")
_SHOWN = 80
"""At most this many characters of forged data go into a log line."""


class StaleButton(ValueError):
    """Button data that does not parse or no longer fits: answered as a stale button."""


@dataclass(frozen=True)
class ButtonData:
    """`prefix:verb:arg…` taken apart; `parts` are everything after the prefix."""

    prefix: str
    parts: tuple[str, ...]

    @property
    def verb(self) -> str:
        return self.parts[0] if self.parts else ""

    def text(self, index: int) -> str:
        """Part `index`, or StaleButton when the data is shorter."""
        if index >= len(self.parts):
            raise StaleButton(f"no part {index} in {self.prefix}:{':'.join(self.parts)}")
        return self.parts[index]

    def integer(self, index: int) -> int:
        """Part `index` as a number of ASCII digits up to MAX_INT, or StaleButton."""
        part = self.text(index)
        if not _NUMBER.fullmatch(part) or int(part) > MAX_INT:
            raise StaleButton(f"part {index} is not a number: {part[:_SHOWN]!r}")
        return int(part)


def parse(data: str | None, prefixes: Collection[str]) -> ButtonData:
    """`data` taken apart, or StaleButton unless it is a well-formed press of one of the
    `prefixes` (see the module's docstring for the rules)."""
    if not data or not data.isascii() or not data.isprintable():
        raise StaleButton(f"not printable ASCII: {(data or '')[:_SHOWN]!r}")
    if len(data.encode()) > MAX_BYTES:
        raise StaleButton(f"longer than {MAX_BYTES} bytes: {data[:_SHOWN]!r}")
    prefix, *parts = data.split(":")
    if prefix not in prefixes:
        raise StaleButton(f"no feature makes buttons {prefix!r}")
    for part in parts:
        if not _PART.fullmatch(part):
            raise StaleButton(f"malformed part {part!r}")
        if part.isdigit() and (len(part) > 10 or int(part) > MAX_INT):
            raise StaleButton(f"number out of range: {part}")
    return ButtonData(prefix=prefix, parts=tuple(parts))


async def answer_stale(update: Update, context: BotContext, why: str) -> None:
    """Answer the press once with the stale-button alert, in the person's language, and log
    it at INFO. A handler that already answered it leaves nothing more to say."""
    query = update.callback_query
    assert query is not None
    user = update.effective_user
    logger.info(
        "stale button %r from user %s: %s",
        (query.data or "")[:_SHOWN],
        user.id if user else None,
        why,
    )
    if context.person is None and user is not None:
        context.telegram_language = user.language_code
        context.person = await context.services.db.run_read(fetch_person_view, telegram_id=user.id)
    try:
        await query.answer(t(context.lang, "buttons.stale"), show_alert=True)
    except BadRequest as exc:  # answered already by the handler that found it malformed
        logger.debug("stale button %s was answered already: %s", query.id, exc)


def raised_while_parsing(error: BaseException) -> bool:
    """Whether `error` means the press's data was malformed: a StaleButton, or a ValueError
    raised in a handler's own code, where it takes the data apart (`a, b = data.split(":")`
    or `int(part)` leave the handler as the innermost frame; a ValueError from deeper down,
    in a domain or a library, is a fault to log in full)."""
    if isinstance(error, StaleButton):
        return True
    if not isinstance(error, ValueError):
        return False
    tb: TracebackType | None = error.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    module = str(tb.tb_frame.f_globals.get("__name__", ""))
    return module.startswith(("bot.handlers.", "bot.edge."))


async def check_button(update: Update, context: BotContext) -> None:
    """Every press: data that does not parse is answered as stale and goes no further."""
    query = update.callback_query
    if query is None:
        return
    try:
        parse(query.data, registry.callback_prefixes())
    except StaleButton as exc:
        await answer_stale(update, context, str(exc))
        raise ApplicationHandlerStop from None


async def unclaimed_button(update: Update, context: BotContext) -> None:
    """A press that parsed but that no handler took (an old keyboard, a forged verb)."""
    await answer_stale(update, context, "no handler takes it")


def register(app: BotApplication) -> None:
    """The strict check, before anything else handles a press."""
    app.add_handler(TypeHandler(Update, check_button), group=GROUP)


def register_fallback(app: BotApplication) -> None:
    """The last button handler of group 0: registered after every feature's."""
    app.add_handler(CallbackQueryHandler(unclaimed_button))
