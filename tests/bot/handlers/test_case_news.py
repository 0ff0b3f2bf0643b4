"""What a reporter reads about their case: ROC dates in Chinese, everyday state names, and every
message signed by the branch with the contact line from the settings; staff notices are not."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

from bot.cases.actions import Action
from bot.edge.case_news import render
from bot.settings import Settings
from storage.db import Database
from storage.models import Role
from tests.factories import do, file_on, person
from tests.harness import BotHarness

FIRM = 8101
SECRETARY = 8102
INSPECTOR = 8103
DAY = date(2026, 11, 2)
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
ROC_DATE = re.compile(r"\b11\d/\d\d/\d\d\b")


def test_reporter_news_has_roc_dates_and_is_signed_with_the_branchs_contact(
    db: Database, settings: Settings
) -> None:
    reporter = person(db, FIRM)
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    person(db, INSPECTOR, Role.INSPECTOR, unit="sec1")
    filed = file_on(db, DAY, reporter=reporter)
    assigned = do(db, filed.number, Action.ASSIGN, secretary, DAY, unit="sec1")
    extended = do(db, filed.number, Action.EXTEND, secretary, DAY, text="10 需會同廠商抽樣送驗")

    (news,) = [n for n in extended.notices if n.key == "cases.notify.extended"]
    text, _ = render(news, settings)
    due = extended.due_on
    assert f"{due.year - 1911}/{due.month:02d}/{due.day:02d}" in text
    assert not ISO_DATE.search(text)
    assert "經濟部標準檢驗局新竹分局" in text
    assert f"電話 {settings.branch_contact_phone}，地址 {settings.branch_contact_address}" in text

    english, _ = render(replace(news, language="en"), settings)
    assert due.isoformat() in english and not ROC_DATE.search(english)
    assert f"phone {settings.branch_contact_phone}" in english

    unit_news = [n for n in assigned.notices if n.key == "cases.notify.assigned_unit"]
    assert unit_news, "the unit is told"
    staff_text, _ = render(unit_news[0], settings)
    assert "經濟部標準檢驗局新竹分局" not in staff_text  # staff news is not a reply to the public


def test_a_request_for_information_names_its_button_by_its_label(
    db: Database, settings: Settings
) -> None:
    reporter = person(db, FIRM)
    secretary = person(db, SECRETARY, Role.SECRETARIAT)
    filed = file_on(db, DAY, reporter=reporter)
    asked = do(db, filed.number, Action.ASK_INFO, secretary, DAY, text="請提供購買收據。")
    (news,) = asked.notices
    text, markup = render(news, settings)
    assert markup is not None
    label = markup.inline_keyboard[0][0].text
    assert f"「{label}」" in text


async def test_the_filing_steps_name_the_buttons_and_the_receipt_is_dated_and_signed(
    bot: BotHarness,
) -> None:
    await bot.say(FIRM, "/report")
    asked = await bot.press(FIRM, "rep:kind:product", replies=2)
    assert "品名、品牌、型號" in asked and "商品檢驗標識" in asked
    await bot.say(FIRM, "電暖器 WarmUp HX-200，標識號碼 R12345")
    await bot.say(FIRM, "新竹市東區某量販店")
    files = await bot.say(FIRM, "使用十分鐘後插頭熔化，並有焦味。")
    assert "「完成，下一步」" in files
    assert bot.fake.button_data(FIRM, "完成，下一步") == "rep:done"
    contact = await bot.press(FIRM, "rep:done")
    for label in ("「📱 分享我的聯絡資訊」", "「✍️ 輸入姓名與電話」", "「🙈 匿名提出」"):
        assert label in contact
    assert "電話號碼" in contact and "只有本分局秘書室（研考）及系統管理員看得到" in contact
    summary = await bot.say(FIRM, "🙈 匿名提出", replies=2)
    assert "「✅ 送出」" in summary
    filed = await bot.press(FIRM, "rep:submit")
    assert "已收到您的案件" in filed and "受理" not in filed
    assert ROC_DATE.search(filed) and not ISO_DATE.search(filed)
    assert "經濟部標準檢驗局新竹分局" in filed
    assert f"電話 {bot.settings.branch_contact_phone}" in filed


async def test_the_thanks_for_an_answer_is_signed_by_the_branch(bot: BotHarness) -> None:
    reporter = person(bot.db, FIRM)
    secretary = person(bot.db, SECRETARY, Role.SECRETARIAT)
    filed = file_on(bot.db, DAY, reporter=reporter)
    do(bot.db, filed.number, Action.ASK_INFO, secretary, DAY, text="Which shop exactly?")
    await bot.press(FIRM, f"rep:info:{filed.number}", language_code="en")
    thanks = await bot.say(FIRM, "The Guangfu Road branch.", language_code="en")
    assert "Thank you" in thanks and "BSMI Hsinchu Branch" in thanks
    assert f"phone {bot.settings.branch_contact_phone}" in thanks
