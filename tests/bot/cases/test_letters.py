"""The reply letter: only for the secretariat and admins (audited either way), only for a reply
recorded as given by letter, and the same words on the A4 page and in the PDF."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlmodel import select

from bot.cases.actions import Action, Refused
from bot.cases.intake import Logged
from bot.cases.letters import ReplyLetter, Sender, letter_html, letter_pdf, read_reply_letter
from bot.cases.lifecycle import take_action
from kernel.errors import UserError
from storage.db import Database
from storage.models import AuditEntry, Role
from tests.bot.cases.test_intake import draft, log
from tests.factories import do, person

SECRETARY = 5401
INSPECTOR = 5402
SENDER = Sender("經濟部標準檢驗局新竹分局", "300 新竹市北區中華路二段 773 號", "03-5427027")


def replied_by_letter(db: Database) -> str:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    logged = log(db, SECRETARY, draft())
    assert isinstance(logged, Logged)
    do(db, logged.number, Action.ASSIGN, secretary, date(2026, 10, 12), unit="sec1")
    taken = db.call(
        take_action,
        number=logged.number,
        action=Action.REPLY,
        actor=secretary,
        today=date(2026, 11, 20),
        counting="working",
        text="經查該電暖器未經檢驗，已函請業者下架。\n感謝您的陳情。",
        reply_how="letter",
    )
    assert not isinstance(taken, Refused) and isinstance(taken.letter, ReplyLetter)
    assert taken.letter.name == "林美惠"
    return logged.number


def test_the_letter_is_for_the_secretariat_and_every_reading_is_audited(db: Database) -> None:
    number = replied_by_letter(db)
    inspector = person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    refused = db.call(read_reply_letter, number=number, viewer=inspector)
    assert isinstance(refused, Refused) and refused.error.key == "cases.action_not_allowed"
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    letter = db.call(read_reply_letter, number=number, viewer=secretary)
    assert isinstance(letter, ReplyLetter) and letter.replied_on == date(2026, 11, 20)
    audit = db.call(lambda session: session.exec(select(AuditEntry)).all())
    letters = [(a.actor_telegram_id, a.allowed) for a in audit if a.action == "case.letter"]
    assert letters == [(SECRETARY, True), (INSPECTOR, False), (SECRETARY, True)]


def test_a_case_answered_otherwise_has_no_letter(db: Database) -> None:
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    logged = log(db, SECRETARY, draft(channel="phone"))
    assert isinstance(logged, Logged)
    with pytest.raises(UserError) as caught:
        db.call(read_reply_letter, number=logged.number, viewer=secretary)
    assert caught.value.key == "cases.letter_none"


def test_the_pdf_is_one_a4_page_with_the_letters_words() -> None:
    letter = ReplyLetter(
        number="P2026-00042",
        received_on=date(2026, 10, 8),
        replied_on=date(2026, 11, 20),
        subject="電暖器 <HP-9>",
        name="林美惠",
        address="302 新竹縣竹北市光明六路 10 號",
        reply="經查該電暖器未經檢驗。\n\n感謝您的陳情。",
    )
    pdf = PdfReader(io.BytesIO(letter_pdf(letter, SENDER)))
    assert len(pdf.pages) == 1
    box = pdf.pages[0].mediabox
    assert (round(float(box.width), 1), round(float(box.height), 1)) == (595.3, 841.9)
    # pypdf reads fpdf2's two-byte codes of a CID-keyed font a byte at a time: NULs between.
    text = "".join(pdf.pages[0].extract_text().replace("\x00", "").split())
    page = letter_html(letter, SENDER)
    for words in ("P2026-00042", "林美惠", "中華民國115年11月20日", "中華民國115年10月8日"):
        assert words in text and words in "".join(page.split())
    assert "電暖器<HP-9>" in text and "電暖器 &lt;HP-9&gt;" in page  # escaped once on the page
    assert "03-5427027" in text and "經濟部標準檢驗局新竹分局" in text
