"""/intake end to end through the fake Bot API: a letter complaint with a scanned letter logged
by the secretariat (numbered, routed, its deadline counted on the work calendar from the date
received), an anonymous phone case logged by an inspector, a firm refused, and wrong answers
that cost one sentence and nothing else."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from pypdf import PdfReader
from sqlmodel import select

from bot.cases.summary import build_summary
from bot.cases.summary_report import summary_text
from kernel import workcalendar
from kernel.clock import today
from storage.models import AuditEntry, Case, CaseAttachment, CaseEvent, CaseReporter, Role
from tests.bot.handlers.cases.helpers import answered
from tests.factories import TZ, person
from tests.harness import BotHarness

SECRETARY = 7401
INSPECTOR = 7402
UNIT_INSPECTOR = 7405
FIRM = 7403
OTHER_SECRETARY = 7404
LETTER_FROM = ("林美惠", "03-5551234", "新竹市東區光復路二段 101 號", "mei@example.com")


def received_before_a_holiday() -> date:
    """A working day within the last year whose next weekday is a national holiday."""
    day = today(TZ) - timedelta(days=2)
    while day > today(TZ) - timedelta(days=360):
        following = day + timedelta(days=1)
        while following.weekday() >= 5:
            following += timedelta(days=1)
        if workcalendar.is_working_day(day) and workcalendar.holiday_name(following):
            return day
        day -= timedelta(days=1)
    raise AssertionError("no holiday in the last year")


def thirtieth_working_day(start: date) -> date:
    """Counted day by day on the official calendar, the day of receipt not counted."""
    day, left = start, 30
    while left:
        day += timedelta(days=1)
        left -= workcalendar.is_working_day(day)
    return day


async def press_for(bot: BotHarness, user_id: int, data: str, words: str) -> str:
    """Press a button; the first message since that holds `words` (the outbox may send the
    same chat news of the case meanwhile)."""
    before = len(bot.fake.sent(user_id))
    bot.fake.press_button(user_id, data, language_code="zh-hant")

    def found() -> str | None:
        texts = [m.get("text") or "" for m in bot.fake.sent(user_id)[before:]]
        return next((text for text in texts if words in text), None)

    await bot.wait_until(lambda: found() is not None, what=f"{words!r} in chat {user_id}")
    return found() or ""


def rows(bot: BotHarness, model: type) -> list:  # type: ignore[type-arg]
    return bot.db.call(lambda session: list(session.exec(select(model)).all()))


async def test_the_secretariat_logs_a_letter_complaint_with_its_scanned_letter(
    bot: BotHarness,
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, OTHER_SECRETARY, Role.SECRETARIAT)
    received = received_before_a_holiday()
    assert "怎麼收到" in await bot.say(SECRETARY, "/intake")
    assert "類型" in await bot.press(SECRETARY, "intake:ch:letter", replies=2)
    assert "品名、品牌、型號" in await bot.press(SECRETARY, "intake:kind:product", replies=2)
    assert "請輸入主旨" in await bot.say(SECRETARY, "\u200b ")
    assert "在哪裡" in await bot.say(SECRETARY, "電暖器 HeatPro HP-9 無商品安全標章")
    assert "描述" in await bot.say(SECRETARY, "竹北市某五金行")
    reply = await bot.say(SECRETARY, "來函指出該電暖器使用時插頭過熱冒煙，包裝無檢驗標識。")
    assert "收件日期" in reply and "工作日" in reply
    assert "不是日期" in await bot.say(SECRETARY, "上週三")
    assert "今天之後" in await bot.say(SECRETARY, (today(TZ) + timedelta(days=3)).isoformat())
    assert "姓名" in await bot.say(SECRETARY, received.isoformat())
    name, phone, address, email = LETTER_FROM
    assert "電話" in await bot.say(SECRETARY, name)
    assert "不像電話號碼" in await bot.say(SECRETARY, "問總機")
    assert "地址" in await bot.say(SECRETARY, phone)
    assert "電子郵件" in await bot.say(SECRETARY, address)
    assert "不是電子郵件" in await bot.say(SECRETARY, "mei at example")
    assert "掃描檔" in await bot.say(SECRETARY, email)
    bot.fake.send_document(SECRETARY, "來函.pdf", b"%PDF-1.4 scanned", file_id="scan-1")
    await bot.wait_until(lambda: "第 1 個附件" in bot.fake.last_text(SECRETARY))
    preview = await bot.press(SECRETARY, "intake:done")
    for shown in ("書面", "電暖器 HeatPro", "來函指出", name, address, "附件：1 個"):
        assert shown in preview
    saved = await press_for(bot, SECRETARY, "intake:save", "已登錄案件")
    found = re.search(r"P\d{4}-\d{5}", saved)
    assert found is not None and "已通知秘書室" in saved
    number = found.group()

    [case] = rows(bot, Case)
    assert (case.number, case.channel, case.state) == (number, "letter", "received")
    assert case.received_on == received
    assert case.due_on == thirtieth_working_day(received)
    assert case.due_on > received + timedelta(days=42)  # six weeks but for the holiday
    [reporter] = rows(bot, CaseReporter)
    assert reporter.person_id is None and not reporter.anonymous
    assert (reporter.contact_name, reporter.contact_phone) == (name, phone)
    assert (reporter.contact_address, reporter.contact_email) == (address, email)
    [scan] = rows(bot, CaseAttachment)
    assert (scan.kind, scan.file_id, scan.file_name) == ("document", "scan-1", "來函.pdf")
    [event] = rows(bot, CaseEvent)
    assert (event.action, event.note) == ("file", "letter")
    audit = [a for a in rows(bot, AuditEntry) if a.action == "case.intake"]
    assert [(a.target, a.allowed, a.detail) for a in audit] == [(number, True, "letter")]
    await bot.outbox_sent()
    told = bot.fake.last_text(OTHER_SECRETARY)
    assert number in told and name not in told  # routed: the secretariat assigns it
    await reply_by_letter(bot, number, received)


def documents(bot: BotHarness, chat: int) -> dict[str, bytes]:
    """The files the bot sent to `chat`, by name."""
    sent = [c.result["document"] for c in bot.fake.calls("sendDocument", chat_id=chat) if c.ok]
    return {d["file_name"]: bot.fake.file_bytes(d["file_id"]) for d in sent}


async def reply_by_letter(bot: BotHarness, number: str, received: date) -> None:
    """Assigned to sec1: the unit's inspector sees that a letter is due, not to whom; the
    secretariat sees the address, records the reply as a letter and gets the letter."""
    name, phone, address, email = LETTER_FROM
    person(bot.db, UNIT_INSPECTOR, Role.INSPECTOR, unit="sec1")
    await bot.say(SECRETARY, f"/case {number}")
    card = bot.fake.last_text(SECRETARY)
    assert "如何回覆" in card and address in card and phone in card and email in card
    await answered(bot, SECRETARY, f"case:a:assign:{number}")
    await press_for(bot, SECRETARY, f"case:unit:{number}:sec1", "分案完成")
    await bot.outbox_sent()
    card = await bot.say(UNIT_INSPECTOR, f"/case {number}")
    assert "應以電話或書面或電子郵件回覆" in card
    for secret in (name, phone, address, email):
        assert secret not in card
    assert f"case:letter:{number}" not in str(bot.fake.sent(UNIT_INSPECTOR)[-1])

    await bot.say(SECRETARY, f"/case {number}")
    edits = len(bot.fake.calls("editMessageReplyMarkup", chat_id=SECRETARY))
    bot.fake.press_button(SECRETARY, f"case:a:reply:{number}", language_code="zh-hant")
    await bot.wait_until(
        lambda: len(bot.fake.calls("editMessageReplyMarkup", chat_id=SECRETARY)) > edits
    )
    keyboard = bot.fake.calls("editMessageReplyMarkup", chat_id=SECRETARY)[-1].params
    assert f"case:how:{number}:letter" in str(keyboard)
    prompt = await bot.press(SECRETARY, f"case:how:{number}:letter")
    assert "以書面回覆陳情人的內容" in prompt
    given = workcalendar.previous_working_day(today(TZ))
    given = max(given, received)
    roc_given = f"{given.year - 1911}/{given.month:02d}/{given.day:02d}"
    assert "不是收件日至今天之間的日期" in await bot.say(SECRETARY, "2020-01-01\n內容")
    reply = "經查該電暖器未經檢驗，已函請業者下架並依法處分。\n感謝您的陳情。"
    await bot.say(SECRETARY, f"{roc_given}\n{reply}")
    await bot.wait_until(lambda: len(documents(bot, SECRETARY)) == 2, what="the letter")
    files = documents(bot, SECRETARY)
    assert sorted(files) == [f"{number}-reply.html", f"{number}-reply.pdf"]
    pdf = PdfReader(io.BytesIO(files[f"{number}-reply.pdf"]))
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 in points
    # fpdf2 encodes a CID-keyed OpenType font through an embedded encoding CMap of two-byte
    # codes; pypdf reads those codes a byte at a time, so a NUL comes before each character.
    text = "".join(pdf.pages[0].extract_text().replace("\x00", "").split())
    for shown in (number, name, "".join(address.split()), "經查該電暖器未經檢驗"):
        assert shown in text
    assert f"中華民國{given.year - 1911}年{given.month}月{given.day}日" in text
    page = files[f"{number}-reply.html"].decode()
    assert number in page and name in page and address in page and "size: A4" in page

    [case] = rows(bot, Case)
    assert (case.state, case.reply_channel, case.replied_on) == ("replied", "letter", given)
    assert case.reply_text == reply
    assert [e.action for e in rows(bot, CaseEvent)][-1] == "reply_letter"
    card = await bot.say(SECRETARY, f"/case {number}")
    assert "以書面回覆陳情人" in card and f"{roc_given} 以書面回覆" in card
    letter = [a for a in rows(bot, AuditEntry) if a.action == "case.letter"]
    assert [(a.target, a.actor_telegram_id) for a in letter] == [(number, SECRETARY)]
    month = bot.db.call(
        build_summary, year=given.year, month=given.month, today=today(TZ), language="zh-TW"
    )
    assert month.replies_off_chat == 1 and not [o for o in month.overdue if o.number == number]
    assert "以電話、書面或電子郵件回覆：1 件" in summary_text(month, "zh-TW")


async def test_an_inspector_logs_an_anonymous_phone_case_received_today(
    bot: BotHarness,
) -> None:
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec2")
    await bot.say(INSPECTOR, "/intake", language_code="en")
    await bot.press(INSPECTOR, "intake:ch:phone", language_code="en", replies=2)
    await bot.press(INSPECTOR, "intake:kind:service", language_code="en", replies=2)
    await bot.say(INSPECTOR, "Counter staff were rude", language_code="en")
    await bot.say(INSPECTOR, "/skip", language_code="en")
    reply = await bot.say(
        INSPECTOR, "The caller says the counter was closed early twice.", language_code="en"
    )
    assert "Today" in reply
    assert "name" in await bot.press(INSPECTOR, "intake:today", language_code="en")
    reply = await bot.press(INSPECTOR, "intake:anon", language_code="en")
    assert "scanned letter" in reply
    preview = await bot.say(INSPECTOR, "/skip", language_code="en")
    assert "Anonymous (no reply possible)" in preview and "Received by: phone" in preview
    saved = await bot.press(INSPECTOR, "intake:save", language_code="en")
    assert re.search(r"S\d{4}-00001", saved)
    [case] = rows(bot, Case)
    assert (case.channel, case.kind, case.received_on) == ("phone", "service", today(TZ))
    [reporter] = rows(bot, CaseReporter)
    assert reporter.anonymous and reporter.person_id is None
    assert reporter.contact_name is reporter.contact_phone is reporter.contact_address is None


async def test_a_firm_may_not_log_a_case_and_the_attempt_is_audited(bot: BotHarness) -> None:
    person(bot.db, FIRM)
    reply = await bot.say(FIRM, "/intake", language_code="en")
    assert "do not have permission" in reply
    assert not rows(bot, Case)
    refused = [a for a in rows(bot, AuditEntry) if not a.allowed]
    assert [(a.action, a.detail, a.actor_telegram_id) for a in refused] == [
        ("denied:intake", "/intake", FIRM)
    ]
    assert "earlier step" in await answered(bot, FIRM, "intake:save")
    assert not rows(bot, Case)


async def test_cancel_leaves_intake_with_nothing_stored(bot: BotHarness) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    await bot.say(SECRETARY, "/intake", language_code="en")
    await bot.press(SECRETARY, "intake:ch:email", language_code="en", replies=2)
    assert "no case was logged" in await bot.say(SECRETARY, "/cancel", language_code="en")
    assert "earlier step" in await answered(bot, SECRETARY, "intake:kind:product")
    assert not rows(bot, Case)
