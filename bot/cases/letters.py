"""The reply letter to a petitioner answered by post: what it holds, read for a person who may
see the petitioner's identity (audited), and the letter as an A4 HTML page and a PDF.

The PDF is drawn with fpdf2 (pure Python, embeds the bundled OpenType CJK font, `FONT_FILE`),
so a bare machine with Python only writes it. Loading the font takes most of a second: callers
on an event loop run `letter_pdf` in a thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fpdf import FPDF
from sqlmodel import Session

from bot.cases.actions import Refused, refuse, sees_identity
from kernel.charts import FONT_FILE
from kernel.errors import UserError
from kernel.reporting import plain, roc_year
from kernel.templating import render
from storage.models.cases import Channel, ReplyChannel
from storage.queries.audit import record_audit
from storage.queries.cases import fetch_case_by_number, fetch_case_reporter
from storage.queries.people import PersonView


@dataclass(frozen=True)
class Sender:
    """The branch as the letter's sender: name, postal address, phone."""

    name: str
    address: str
    phone: str


@dataclass(frozen=True)
class ReplyLetter:
    """One reply letter: the case, the petitioner as they gave themselves, the reply."""

    number: str
    received_on: date
    replied_on: date
    subject: str
    name: str | None
    address: str | None
    reply: str


def roc_long(day: date) -> str:
    """民國 115 年 12 月 8 日, as an official letter dates itself."""
    return f"中華民國 {roc_year(day.year)} 年 {day.month} 月 {day.day} 日"


def read_reply_letter(
    session: Session, *, number: str, viewer: PersonView
) -> ReplyLetter | Refused:
    """The letter of a case answered by letter, for the secretariat or an admin (the letter
    names the petitioner), audited as `case.letter`; anyone else is refused, audited too."""
    case_row = fetch_case_by_number(session=session, number=number)
    if case_row is None or case_row.id is None:
        raise UserError("cases.not_found", number=number)
    if not sees_identity(viewer):
        return refuse(
            session=session, case_row=case_row, action="letter", person=viewer, reason="role"
        )
    if (
        case_row.channel == Channel.TELEGRAM.value
        or case_row.reply_channel != ReplyChannel.LETTER.value
        or case_row.replied_on is None
    ):
        raise UserError("cases.letter_none", number=case_row.number)
    reporter, _ = fetch_case_reporter(session=session, case_id=case_row.id)
    record_audit(
        session=session,
        actor_telegram_id=viewer.telegram_id,
        action="case.letter",
        target=case_row.number,
    )
    hidden = reporter.anonymous
    return ReplyLetter(
        number=case_row.number,
        received_on=case_row.received_on,
        replied_on=case_row.replied_on,
        subject=case_row.subject,
        name=None if hidden else reporter.contact_name,
        address=None if hidden else reporter.contact_address,
        reply=case_row.reply_text or "",
    )


def _texts(letter: ReplyLetter, sender: Sender) -> dict[str, str]:
    """The letter's words (zh-TW: a letter to a Taiwanese petitioner is written in Chinese)."""
    lang = "zh-TW"
    return {
        "title": plain(lang, "letters.title"),
        "to": plain(lang, "letters.to", name=letter.name or plain(lang, "letters.no_name")),
        "address": letter.address or "",
        "date": roc_long(letter.replied_on),
        "number": plain(lang, "letters.number", number=letter.number),
        "subject": plain(
            lang, "letters.subject", received=roc_long(letter.received_on), subject=letter.subject
        ),
        "contact": plain(lang, "letters.contact", phone=sender.phone, address=sender.address),
        "sender": sender.name,
    }


def letter_html(letter: ReplyLetter, sender: Sender) -> str:
    """The letter as one A4 page of HTML, ready to print."""
    return render(
        "letters/reply.html.j2",
        letter=letter,
        sender=sender,
        text=_texts(letter, sender),
        paragraphs=[p for p in letter.reply.split("\n") if p.strip()],
    )


_FAMILY = "letter"
MARGIN_MM = 25


def letter_pdf(letter: ReplyLetter, sender: Sender) -> bytes:
    """The same letter as an A4 PDF with the bundled font embedded."""
    text = _texts(letter, sender)
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_title(f"{text['title']} {letter.number}")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(auto=True, margin=MARGIN_MM)
    pdf.add_font(_FAMILY, fname=str(FONT_FILE))
    pdf.add_page()
    width = pdf.epw

    def line(value: str, size: float = 11, height: float = 6, align: str = "L") -> None:
        pdf.set_font(_FAMILY, size=size)
        pdf.multi_cell(width, height, value, align=align, new_x="LMARGIN", new_y="NEXT")

    line(sender.name, 16, 9, "C")
    line(text["title"], 14, 8, "C")
    pdf.ln(4)
    line(text["to"])
    if text["address"]:
        line(text["address"])
    pdf.ln(2)
    line(text["date"], align="R")
    line(text["number"], align="R")
    pdf.ln(4)
    line(text["subject"])
    pdf.ln(2)
    for paragraph in letter.reply.split("\n"):
        if paragraph.strip():
            line(paragraph, 12, 7)
            pdf.ln(1)
    pdf.ln(6)
    line(sender.name, 12, 7, "R")
    pdf.ln(4)
    line(text["contact"], 9, 5)
    return bytes(pdf.output())
