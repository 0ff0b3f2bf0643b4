"""The reply letter of a case answered by post, sent as two documents (the PDF and the A4 HTML
page): after a reply is recorded as given by letter, and under the case card's "Reply letter"
button (secretariat and admins: the letter names the petitioner)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from telegram import Update

from bot.cases.actions import Refused
from bot.cases.letters import ReplyLetter, Sender, letter_html, letter_pdf, read_reply_letter
from bot.edge.access import SECRETARIAT, requires
from bot.edge.context import BotContext
from bot.edge.files import send_report_files
from bot.handlers.cases.shared import NUMBER, PREFIX, pressed
from bot.settings import Settings
from kernel.errors import UserError
from kernel.i18n import t

LETTER_DATA = re.compile(rf"^{PREFIX}:letter:{NUMBER}$")


def sender(settings: Settings) -> Sender:
    """The branch as the letter's sender: its name, and its address and phone from settings."""
    unset = t("zh-TW", "contact.unset")
    return Sender(
        name=t("zh-TW", "letters.sender"),
        address=settings.branch_contact_address or unset,
        phone=settings.branch_contact_phone or unset,
    )


def _writer(letter: ReplyLetter, by: Sender) -> Callable[[Path], list[Path]]:
    def write(folder: Path) -> list[Path]:
        pdf = folder / f"{letter.number}-reply.pdf"
        pdf.write_bytes(letter_pdf(letter, by))
        page = folder / f"{letter.number}-reply.html"
        page.write_text(letter_html(letter, by), encoding="utf-8")
        return [pdf, page]

    return write


async def send_letter(update: Update, context: BotContext, letter: ReplyLetter) -> None:
    """The letter's PDF and HTML page to this chat, with one line saying what they are."""
    assert update.effective_chat is not None
    await send_report_files(
        context.bot,
        update.effective_chat.id,
        _writer(letter, sender(context.services.settings)),
        prefix="letter-",
        text=t(context.lang, "cases.letter_attached", number=letter.number),
    )


@requires(*SECRETARIAT)
async def letter_pressed(update: Update, context: BotContext) -> None:
    """The card's "Reply letter" button: the letter again (audited: it names the petitioner)."""
    query = update.callback_query
    assert query is not None and context.person is not None and update.effective_chat is not None
    await query.answer()
    (number,) = pressed(update, LETTER_DATA)
    try:
        found = await context.services.db.run(
            read_reply_letter, number=number, viewer=context.person
        )
    except UserError as exc:
        found = Refused(exc)
    if isinstance(found, Refused):
        error = found.error
        await context.bot.send_message(
            update.effective_chat.id, t(context.lang, error.key, **error.values)
        )
        return
    await send_letter(update, context, found)
