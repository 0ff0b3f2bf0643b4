"""Staff upload a CSV in chat: `/registry`, `/staff`, `/scores 2027-H1` or `/cases_import` as
the file's caption, or the command first and the file next (a wait, `bot.edge.waiting`). The
whole file is checked and previewed with 「匯入」/「取消」; nothing changes before 「匯入」.

Between the preview and the button the wait keeps the file's Telegram id and its SHA-256, not
its bytes (persisted user data is a JSON row, and a register runs to megabytes): 「匯入」
downloads the file again and refuses it if its hash differs, so a restart in between imports
the file that was previewed or nothing. Each preview's buttons carry a token of their own; a
button of a cancelled, imported or replaced preview is stale.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass

from telegram import Document, InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.edge import waiting
from bot.edge.access import SECRETARIAT, SECRETARIAT_ONLY, refuse, requires
from bot.edge.callbacks import answer_stale, parse
from bot.edge.context import BotContext
from bot.handlers.imports.kinds import BY_COMMAND, KINDS, Kind, Upload, problems
from kernel.errors import UserError
from kernel.i18n import t
from kernel.periods import ASSESSED, parse_period
from kernel.textfiles import SentFile, decode_text

logger = logging.getLogger(__name__)

WAIT = "imports"
"""The wait's key: payload {"kind", "period", "replace"} while waiting for the file; with
"file_id", "sha256", "name", "encoding" and "token" once previewed."""
PREFIX = "imp"  # imp:go:<token> imports, imp:no:<token> cancels
FILE_MINUTES = 30
CONFIRM_MINUTES = 60
TELEGRAM_LIMIT = 20 * 1024 * 1024
"""Telegram's Bot API hands a bot files up to 20 MB."""
CSV_TYPES = frozenset(
    {
        "text/csv",
        "text/plain",
        "text/x-csv",
        "text/comma-separated-values",
        "application/csv",
        "application/vnd.ms-excel",  # how Excel on Windows labels a .csv
        "application/octet-stream",  # a client that does not know the type
    }
)
MESSAGE_LIMIT = 4096
ROOM = 3600
"""The characters of bad rows a refusal lists, leaving room for its other lines."""
LINE_LIMIT = 300
CAPTION = re.compile(r"^/([a-z_]+)(?:@\w+)?(?:\s+(.*))?$", re.DOTALL)
REPLACE = frozenset({"replace", "--replace", "取代"})


@dataclass(frozen=True)
class Asked:
    """What a command asked for: the kind, a scores period, a register replace."""

    kind: Kind
    period: str | None = None
    replace: bool = False

    def payload(self) -> dict[str, str | bool | None]:
        return {"kind": self.kind.name, "period": self.period, "replace": self.replace}

    def upload(self, data: bytes, name: str, telegram_id: int) -> Upload:
        """The file's bytes read as text (UTF-8 or Big5; UserError if neither) for this."""
        decoded = decode_text(data, name=name)
        sent = SentFile(telegram_id, name, hashlib.sha256(data).hexdigest())
        return Upload(decoded.text, decoded.encoding, sent, self.period, self.replace)


def asked_for(kind: Kind, args: list[str]) -> Asked:
    """A command's arguments for `kind`; UserError when a scores period is missing or not a
    half-year or year."""
    if kind.needs_period:
        if not args:
            raise UserError("imports.period_missing")
        return Asked(kind, period=parse_period(args[0], kinds=ASSESSED).code)
    return Asked(kind, replace=bool(args) and args[0].lower() in REPLACE)


def _may(context: BotContext, kind: Kind) -> bool:
    """Whether the person holds a role that may upload `kind` (checked at every step: a role
    revoked between the preview and 「匯入」 stops the import)."""
    return context.person is not None and context.person.has_any(kind.roles)


def _asked_from(payload: waiting.Payload) -> Asked | None:
    kind = KINDS.get(str(payload.get("kind")))
    if kind is None:
        return None
    period = payload.get("period")
    return Asked(kind, str(period) if period else None, payload.get("replace") is True)


def _bounded(line: str) -> str:
    """A line cut to LINE_LIMIT characters, never inside an HTML entity."""
    if len(line) <= LINE_LIMIT:
        return line
    return re.sub(r"&[#a-zA-Z0-9]*$", "", line[: LINE_LIMIT - 1]) + "…"


def refusal(error: UserError, lang: str) -> str:
    """A refused file in one message: why, then its bad rows as far as they fit and how many
    more there are."""
    rows = problems(error, lang)
    if not rows:
        return t(lang, error.key, **error.values)
    lines = [t(lang, "imports.bad_rows", count=len(rows))]
    used = 0
    for shown, row in enumerate(rows):
        row = _bounded(row)
        if used + len(row) > ROOM:
            lines.append(t(lang, "imports.more_rows", count=len(rows) - shown))
            break
        lines.append(row)
        used += len(row) + 1
    lines.append(t(lang, "imports.send_again"))
    return "\n".join(lines)


def confirm_keyboard(token: str, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(lang, "imports.go_button"), callback_data=f"{PREFIX}:go:{token}"
                ),
                InlineKeyboardButton(
                    t(lang, "imports.no_button"), callback_data=f"{PREFIX}:no:{token}"
                ),
            ]
        ]
    )


def _file_refusal(document: Document) -> tuple[str, dict[str, object]] | None:
    """Why a document cannot be a CSV import (the catalogue key and its values), or None."""
    name = document.file_name or ""
    if document.file_size is not None and document.file_size > TELEGRAM_LIMIT:
        return "imports.too_large", {"name": name, "mb": TELEGRAM_LIMIT // (1024 * 1024)}
    mime = (document.mime_type or "application/octet-stream").split(";")[0].strip().lower()
    if not name.lower().endswith(".csv") or mime not in CSV_TYPES:
        return "imports.not_csv", {"name": name or "—"}
    return None


async def _download(context: BotContext, file_id: str) -> bytes:
    telegram_file = await context.bot.get_file(file_id)
    return bytes(await telegram_file.download_as_bytearray())


async def ask_for_file(update: Update, context: BotContext, asked: Asked) -> None:
    assert update.effective_message is not None and context.user_data is not None
    waiting.open_wait(
        context.user_data,
        WAIT,
        asked.payload(),
        minutes=FILE_MINUTES,
        update_id=update.update_id,
    )
    await update.effective_message.reply_text(
        t(context.lang, "imports.send_file", kind=t(context.lang, asked.kind.title_key))
    )


async def _preview(update: Update, context: BotContext, asked: Asked) -> None:
    """Check the document as `asked` says and answer with the preview and its buttons, or
    with why it is refused (the wait for a file stays open for a corrected one)."""
    message = update.effective_message
    user = update.effective_user
    assert message is not None and message.document is not None and user is not None
    assert context.user_data is not None
    lang = context.lang
    document = message.document
    waiting.open_wait(context.user_data, WAIT, asked.payload(), minutes=FILE_MINUTES)
    refused = _file_refusal(document)
    if refused is not None:
        await message.reply_text(t(lang, refused[0], **refused[1]))
        return
    name = (document.file_name or "")[:128]
    data = await _download(context, document.file_id)
    try:
        upload = asked.upload(data, name, user.id)
        lines = await asked.kind.preview(context.services, upload, lang)
    except UserError as error:
        await message.reply_text(refusal(error, lang))
        return
    token = secrets.token_hex(4)
    waiting.open_wait(
        context.user_data,
        WAIT,
        {
            **asked.payload(),
            "file_id": document.file_id,
            "sha256": upload.sent.sha256,
            "name": name,
            "token": token,
        },
        minutes=CONFIRM_MINUTES,
    )
    text = "\n".join(
        [
            t(lang, "imports.preview_header", kind=t(lang, asked.kind.title_key), name=name),
            t(lang, "imports.encoding", encoding=upload.encoding),
            *lines,
            t(lang, "imports.confirm"),
        ]
    )
    await message.reply_text(text[:MESSAGE_LIMIT], reply_markup=confirm_keyboard(token, lang))


@requires(*SECRETARIAT)
async def import_command(update: Update, context: BotContext) -> None:
    """/staff (and /registry without a number): ask for the file."""
    await _ask(update, context)


@requires(*SECRETARIAT_ONLY)
async def secretariat_import_command(update: Update, context: BotContext) -> None:
    """/scores 2027-H1, /cases_import: ask for the file (the secretariat alone)."""
    await _ask(update, context)


async def _ask(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    command = message.text.split(maxsplit=1)[0][1:].partition("@")[0].lower()
    try:
        asked = asked_for(BY_COMMAND[command], list(context.args or []))
    except UserError as error:
        await message.reply_text(t(context.lang, error.key, **error.values))
        return
    await ask_for_file(update, context, asked)


async def captioned_file(update: Update, context: BotContext) -> None:
    """A CSV sent with the command as its caption: checked against the kind's roles, then
    previewed."""
    message = update.effective_message
    assert message is not None
    found = CAPTION.fullmatch((message.caption or "").strip())
    kind = BY_COMMAND.get(found.group(1).lower()) if found else None
    if found is None or kind is None:
        return
    if not _may(context, kind):
        await refuse(update, context, f"denied:import_{kind.name}")
        return
    try:
        asked = asked_for(kind, (found.group(2) or "").split())
    except UserError as error:
        await message.reply_text(t(context.lang, error.key, **error.values))
        return
    await _preview(update, context, asked)


@requires(*SECRETARIAT)
async def awaited_file(update: Update, context: BotContext) -> None:
    """The file a command asked for (or a corrected one after a refusal)."""
    message = update.effective_message
    assert message is not None and context.user_data is not None
    found = waiting.read_wait(context.user_data, WAIT)
    asked = _asked_from(found.payload) if isinstance(found, waiting.Wait) else None
    if asked is None:
        waiting.close_wait(context.user_data, WAIT)
        await message.reply_text(waiting.lapsed_text(context.lang))
        return
    if not _may(context, asked.kind):
        waiting.close_wait(context.user_data, WAIT)
        await refuse(update, context, f"denied:import_{asked.kind.name}")
        return
    await _preview(update, context, asked)


async def awaited_text(update: Update, context: BotContext) -> None:
    """Text while a file is awaited: say how to send it."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(t(context.lang, "imports.not_a_file"))


async def cancel(update: Update, context: BotContext) -> None:
    """/cancel while a file is awaited or previewed: nothing imported."""
    assert update.effective_message is not None and context.user_data is not None
    waiting.close_wait(context.user_data, WAIT)
    await update.effective_message.reply_text(t(context.lang, "imports.cancelled"))


@requires(*SECRETARIAT)
async def pressed(update: Update, context: BotContext) -> None:
    """「匯入」 imports the previewed file (downloaded again, its hash checked); 「取消」 drops
    it. A button of any other preview is stale."""
    query = update.callback_query
    assert query is not None and context.user_data is not None
    data = parse(query.data, (PREFIX,))
    verb, token = data.verb, data.text(1)
    found = waiting.take_preview(context.user_data, WAIT, token) if verb in ("go", "no") else None
    if found is None:
        await answer_stale(update, context, "imports: not the open preview")
        return
    asked = _asked_from(found.payload)
    if asked is None or not _may(context, asked.kind):
        await refuse(update, context, f"denied:import_{asked.kind.name if asked else 'file'}")
        return
    await query.answer()
    lang = context.lang
    if verb == "no":
        await query.edit_message_text(t(lang, "imports.cancelled"))
        return
    await query.edit_message_reply_markup(None)
    lines = await _import(update, context, found.payload)
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, "\n".join(lines)[:MESSAGE_LIMIT])


async def _import(update: Update, context: BotContext, payload: waiting.Payload) -> list[str]:
    """Download the previewed file again and import it if it is the same file."""
    user = update.effective_user
    asked = _asked_from(payload)
    assert user is not None and asked is not None
    lang = context.lang
    data = await _download(context, str(payload["file_id"]))
    if hashlib.sha256(data).hexdigest() != payload.get("sha256"):
        logger.warning("an import's file changed between preview and import (user %s)", user.id)
        return [t(lang, "imports.file_changed")]
    try:
        upload = asked.upload(data, str(payload.get("name") or ""), user.id)
        return await asked.kind.apply(context.services, upload, lang)
    except UserError as error:
        return [refusal(error, lang)]
