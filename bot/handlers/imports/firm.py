"""`/registry 04595257`: a firm's certificates and each reminder's planned day and state, what
`bsmi-desk registry show` prints, from the same domain function; `/registry` alone asks for the
register file (`upload.py`)."""

from __future__ import annotations

from telegram import Update

from bot.edge.access import SECRETARIAT, requires
from bot.edge.context import BotContext
from bot.handlers.imports.kinds import KINDS
from bot.handlers.imports.upload import REPLACE, Asked, ask_for_file
from bot.notices.firms import clean_tax_id
from bot.notices.registry import FirmCertificate, firm_certificates, firm_lines
from kernel.errors import UserError
from kernel.i18n import t

ROOM = 3800
"""Characters of certificate lines in one message, leaving room for the last line."""


def firm_text(tax_id: str, found: list[FirmCertificate], lang: str) -> str:
    """The firm's certificates in one message: as many as fit, then how many more."""
    if not found:
        return t(lang, "registry.no_certificates", tax_id=tax_id)
    text = [t(lang, "imports.firm_header", tax_id=tax_id, count=len(found))]
    used = len(text[0])
    for shown, lines in enumerate(firm_lines(found, lang, t)):
        block = "\n".join(lines)
        if used + len(block) > ROOM:
            text.append(t(lang, "imports.firm_more", count=len(found) - shown))
            break
        text.append(block)
        used += len(block) + 1
    return "\n".join(text)


@requires(*SECRETARIAT)
async def registry_command(update: Update, context: BotContext) -> None:
    """/registry 04595257 shows a firm's certificates; /registry alone asks for the register
    file (/registry replace: one that replaces the register)."""
    message = update.effective_message
    assert message is not None
    args = list(context.args or [])
    if not args or args[0].lower() in REPLACE:
        await ask_for_file(update, context, Asked(KINDS["registry"], replace=bool(args)))
        return
    try:
        tax_id = clean_tax_id(args[0])
    except UserError as error:
        await message.reply_text(t(context.lang, error.key, **error.values))
        return
    found = await context.services.db.run_read(firm_certificates, tax_id=tax_id)
    await message.reply_text(firm_text(tax_id, found, context.lang))
