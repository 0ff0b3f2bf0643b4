"""/report, /status and staff handling of cases, end to end through the fake Bot API."""

from __future__ import annotations

import re

from sqlmodel import select

from storage.models import Case, CaseAttachment, CaseReporter, Role
from tests.factories import person
from tests.fakes import FakeBotApi
from tests.harness import BotHarness

IDENTITY_NOTE = (
    "Petitioner's identity (seen only by the secretariat (research and evaluation)"
    " and the system administrators)"
)
"""How the case card names who filed; the privacy notice and the filing step say the same."""

FIRM = 6001
MONITOR = 6002
SECRETARY = 6003
INSPECTOR = 6004
OTHER_FIRM = 6005
OTHER_INSPECTOR = 6006


def kind_buttons(fake: FakeBotApi, chat_id: int) -> list[str]:
    message = next(m for m in reversed(fake.sent(chat_id)) if fake.buttons(m))
    return [data or "" for _, data in fake.buttons(message)]


async def send_photo(bot: BotHarness, user_id: int, file_id: str) -> str:
    before = len(bot.fake.sent(user_id))
    bot.fake.send_photo(user_id, file_id)
    return await bot.wait_reply(user_id, before=before)


def cases(bot: BotHarness) -> list[Case]:
    return bot.db.call(
        lambda session: list(session.exec(select(Case).order_by(Case.id)).all())  # type: ignore[arg-type]
    )


async def file_product_report_with_two_photos(bot: BotHarness) -> str:
    reply = await bot.say(FIRM, "/report")
    assert "類型" in reply
    assert kind_buttons(bot.fake, FIRM)[:2] == ["rep:kind:product", "rep:kind:service"]
    assert "rep:kind:monitor" not in kind_buttons(bot.fake, FIRM)
    reply = await bot.press(FIRM, "rep:kind:product", replies=2)
    assert "品名、品牌、型號" in reply
    assert "在哪裡" in await bot.say(FIRM, "行動電源 PowerMax 20000mAh 型號 PM-20")
    assert "描述" in await bot.say(FIRM, "新竹市東區光復路某量販店")
    assert "至少寫 10 個字" in await bot.say(FIRM, "會發燙")
    reply = await bot.say(FIRM, "充電約十分鐘外殼就過熱變形，包裝上沒有商品安全標章。")
    assert "最多 5 張" in reply
    assert "請傳送照片或檔案" in await bot.say(FIRM, "照片等一下")
    assert "第 1 個附件" in await send_photo(bot, FIRM, "photo-one")
    assert "第 2 個附件" in await send_photo(bot, FIRM, "photo-two")
    assert "聯絡方式" in await bot.press(FIRM, "rep:done")
    reply = await bot.say(FIRM, "🙈 匿名提出", replies=2)
    assert "確認案件內容" in reply and "匿名" in reply and "附件：2 個" in reply
    assert any(
        "「無具體之內容或未具真實姓名或住址者」，得不予處理" in (m.get("text") or "")
        for m in bot.fake.sent(FIRM)
    )
    reply = await bot.press(FIRM, "rep:submit")
    assert "已收到您的案件" in reply and "受理" not in reply
    found = re.search(r"P\d{4}-\d{5}", reply)
    assert found is not None
    return found.group()


async def test_a_firm_files_a_product_report_with_two_photos_anonymously(
    bot: BotHarness,
) -> None:
    number = await file_product_report_with_two_photos(bot)
    assert number.startswith("P20") and number.endswith("-00001")
    stored = cases(bot)
    assert [c.number for c in stored] == [number]
    assert stored[0].subject == "行動電源 PowerMax 20000mAh 型號 PM-20"

    def extras(session):  # type: ignore[no-untyped-def]
        files = session.exec(select(CaseAttachment)).all()
        reporter = session.exec(select(CaseReporter)).one()
        return [(f.kind, f.file_id) for f in files], reporter

    files, reporter = bot.db.call(extras)
    assert [kind for kind, _ in files] == ["photo", "photo"]
    largest = {m["photo"][-1]["file_id"] for m in _user_photos(bot.fake, FIRM)}
    assert {file_id for _, file_id in files} == largest
    assert reporter.anonymous and reporter.contact_name is None and reporter.contact_phone is None


def _user_photos(fake: FakeBotApi, user_id: int) -> list[dict]:  # type: ignore[type-arg]
    found = []
    for call in fake.calls("getUpdates"):
        for update in call.result or []:
            message = update.get("message") or {}
            if message.get("photo") and message.get("from", {}).get("id") == user_id:
                found.append(message)
    return found


async def test_a_firm_cannot_choose_the_monitor_kind_even_with_a_forged_button(
    bot: BotHarness,
) -> None:
    await bot.say(OTHER_FIRM, "/report", language_code="en")
    reply = await bot.press(OTHER_FIRM, "rep:kind:monitor", language_code="en")
    assert "only for the branch's appointed product monitors" in reply
    assert await bot.say(OTHER_FIRM, "/cancel", language_code="en") == (
        "Cancelled; nothing was sent."
    )
    assert cases(bot) == []


async def test_a_monitor_files_a_monitor_report_with_a_typed_contact(bot: BotHarness) -> None:
    person(bot.db, MONITOR, Role.MONITOR, name="Monitor Lin")
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    await bot.say(MONITOR, "/report", language_code="en")
    assert "rep:kind:monitor" in kind_buttons(bot.fake, MONITOR)
    await bot.press(MONITOR, "rep:kind:monitor", language_code="en", replies=2)
    await bot.say(MONITOR, "Helmet RideSafe R1", language_code="en")
    await bot.say(MONITOR, "https://shop.example.tw/item/42", language_code="en")
    await bot.say(MONITOR, "No inspection mark on the helmet or its box.", language_code="en")
    assert "Please send a photo" not in await bot.say(MONITOR, "/skip", language_code="en")
    reply = await bot.say(MONITOR, "✍️ Type name and phone", language_code="en")
    assert "name and phone in one message" in reply
    assert "at least 6 digits" in await bot.say(MONITOR, "Lin", language_code="en")
    reply = await bot.say(MONITOR, "Lin Mei-hua 0933111222", language_code="en", replies=2)
    assert "Lin Mei-hua, 0933111222" in reply
    reply = await bot.press(MONITOR, "rep:submit", language_code="en")
    assert re.search(r"Received as case <b>M\d{4}-00001</b>", reply)
    stored = cases(bot)
    assert [c.kind for c in stored] == ["monitor"] and stored[0].number.endswith("-00001")
    await bot.fake.async_wait_for("sendMessage", chat_id=SECRETARY)
    told = bot.fake.last_text(SECRETARY)
    assert "新案件" in told and stored[0].number in told and "監視員反映" in told
    assert "Lin Mei-hua" not in told and "0933111222" not in told


async def test_a_service_complaint_may_skip_the_place_but_a_product_report_may_not(
    bot: BotHarness,
) -> None:
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:product", language_code="en", replies=2)
    await bot.say(FIRM, "Heater WarmUp HX-200", language_code="en")
    assert "needs a place" in await bot.say(FIRM, "/skip", language_code="en")
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:service", language_code="en", replies=2)
    await bot.say(FIRM, "Long wait at the counter", language_code="en")
    assert "Describe what happened" in await bot.say(FIRM, "/skip", language_code="en")


async def test_a_sixth_file_is_refused_and_the_step_asked_again(bot: BotHarness) -> None:
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:product", language_code="en", replies=2)
    await bot.say(FIRM, "Charger QuickCharge 65W", language_code="en")
    await bot.say(FIRM, "Night market stall, Zhongli", language_code="en")
    await bot.say(FIRM, "The plug melted while charging a phone.", language_code="en")
    for n in range(1, 6):
        assert f"File {n} received" in await send_photo(bot, FIRM, f"p{n}")
    assert "At most 5 files" in await send_photo(bot, FIRM, "p6")


async def test_the_report_conversation_survives_a_restart_of_the_bot(bot: BotHarness) -> None:
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:product", language_code="en", replies=2)
    await bot.say(FIRM, "Extension cord SafePlug 6", language_code="en")
    await bot.restart()
    reply = await bot.say(FIRM, "Shop on Guangfu Road, Hsinchu", language_code="en")
    assert "Describe what happened" in reply
    await bot.say(FIRM, "Sparks came out of the third socket.", language_code="en")
    await bot.say(FIRM, "/skip", language_code="en")
    await bot.say(FIRM, "🙈 Stay anonymous", language_code="en", replies=2)
    await bot.press(FIRM, "rep:submit", language_code="en")
    stored = cases(bot)
    assert [(c.subject, c.location) for c in stored] == [
        ("Extension cord SafePlug 6", "Shop on Guangfu Road, Hsinchu")
    ]


async def test_the_secretariat_assigns_the_unit_replies_and_the_reporter_sees_it_closed_on_time(
    bot: BotHarness,
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT, name="Secretary")
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec1", name="Inspector")
    person(bot.db, OTHER_INSPECTOR, Role.INSPECTOR, unit="sec5", name="Elsewhere")
    number = await file_product_report_with_two_photos(bot)
    await bot.fake.async_wait_for("sendMessage", chat_id=SECRETARY)  # the new-case notice

    reply = await bot.say(SECRETARY, f"/case {number}", language_code="en")
    assert number in reply and IDENTITY_NOTE in reply and "anonymous" in reply
    data = bot.fake.button_data(SECRETARY, "Assign")
    assert data == f"case:a:assign:{number}"
    bot.fake.press_button(SECRETARY, data)
    await bot.fake.async_wait_for("editMessageReplyMarkup", chat_id=SECRETARY)
    before = len(bot.fake.sent(FIRM))
    await bot.press(SECRETARY, f"case:unit:{number}:sec1", language_code="en", replies=2)
    await bot.wait_reply(FIRM, before=before)
    assert "已分派承辦單位" in bot.fake.last_text(FIRM)

    refused = await bot.say(OTHER_INSPECTOR, f"/case {number}", language_code="en")
    assert "may not see it" in refused

    view = await bot.say(INSPECTOR, f"/case {number}", language_code="en")
    assert "Reporter" not in view and str(FIRM) not in view
    assert "Assign" not in [text for text, _ in bot.fake.buttons(bot.fake.sent(INSPECTOR)[-1])]
    prompt = await bot.press(INSPECTOR, f"case:a:reply:{number}", language_code="en")
    assert "final reply" in prompt
    before = len(bot.fake.sent(FIRM))
    done = await bot.say(INSPECTOR, "經查該商品已下架，並已通知業者限期改正。", language_code="en")
    assert "replied" in done
    await bot.wait_reply(FIRM, before=before)
    assert "經查該商品已下架" in bot.fake.last_text(FIRM)

    await bot.press(SECRETARY, f"case:a:close:{number}", language_code="en")
    status = await bot.say(FIRM, "/status")
    assert number in status and "已結案（在預定日期內回覆）" in status
    assert "依限辦結" not in status


async def test_a_firm_is_refused_the_staff_commands(bot: BotHarness) -> None:
    assert "權限" in await bot.say(OTHER_FIRM, "/cases")
    assert "權限" in await bot.say(OTHER_FIRM, "/summary")


async def test_cases_lists_open_cases_with_paging(bot: BotHarness) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    from datetime import date

    from tests.factories import file_on

    for _ in range(12):
        file_on(bot.db, date(2026, 11, 2))
    reply = await bot.say(SECRETARY, "/cases", language_code="en")
    assert "Open cases</b> (12)" in reply and "P2026-00010" in reply
    assert "P2026-00011" not in reply
    reply = await bot.press(SECRETARY, "case:list:open:10", language_code="en")
    assert "P2026-00011" in reply and "P2026-00012" in reply
    reply = await bot.say(SECRETARY, "/cases sometimes", language_code="en")
    assert "Usage: /cases" in reply


async def test_a_reporter_shares_a_contact_and_answers_a_request_for_information(
    bot: BotHarness,
) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    person(bot.db, INSPECTOR, Role.INSPECTOR, unit="sec4")
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:product", language_code="en", replies=2)
    await bot.say(FIRM, "Dehumidifier DryAir D12", language_code="en")
    await bot.say(FIRM, "Zhubei shopping mall", language_code="en")
    await bot.say(FIRM, "The power cord is thinner than the label says.", language_code="en")
    await bot.say(FIRM, "/skip", language_code="en")
    before = len(bot.fake.sent(FIRM))
    bot.fake.send_contact(FIRM, "+886912000111", "Chen", last_name="Ya-ting")
    reply = await bot.wait_reply(FIRM, before=before, count=2)
    assert "Chen Ya-ting, +886912000111" in reply
    reply = await bot.press(FIRM, "rep:submit", language_code="en")
    number = re.search(r"P\d{4}-\d{5}", reply)
    assert number is not None
    number_text = number.group()
    await bot.fake.async_wait_for("sendMessage", chat_id=SECRETARY)  # the new-case notice
    view = await bot.say(SECRETARY, f"/case {number_text}", language_code="en")
    assert "Chen Ya-ting, phone +886912000111" in view and f"Telegram {FIRM}" in view
    await bot.press(SECRETARY, f"case:unit:{number_text}:sec4", language_code="en", replies=2)
    await bot.press(SECRETARY, f"case:a:ask:{number_text}", language_code="en")
    before = len(bot.fake.sent(FIRM))
    done = await bot.say(SECRETARY, "Which branch of the mall?", language_code="en")
    assert "waiting for information" in done
    await bot.wait_reply(FIRM, before=before)
    assert "Which branch of the mall?" in bot.fake.last_text(FIRM)
    prompt = await bot.press(FIRM, f"rep:info:{number_text}", language_code="en")
    assert f"information for case {number_text}" in prompt
    before = len(bot.fake.sent(INSPECTOR))
    thanks = await bot.say(FIRM, "The Zhubei Guangming branch, 3rd floor.", language_code="en")
    assert "Thank you" in thanks
    await bot.wait_reply(INSPECTOR, before=before)
    assert "Guangming branch" in bot.fake.last_text(INSPECTOR)
    stored = cases(bot)
    assert stored[0].state == "investigating" and stored[0].paused_on is None


async def test_summary_in_chat_can_show_the_roc_calendar(bot: BotHarness) -> None:
    person(bot.db, SECRETARY, Role.SECRETARIAT)
    reply = await bot.say(SECRETARY, "/summary 2026-05 roc")
    assert "民國 115 年 5 月" in reply and "沒有任何案件" in reply
    await bot.wait_until(
        lambda: len(bot.fake.calls("sendDocument", chat_id=SECRETARY)) >= 3,
        what="the HTML, CSV and PNG reports sent to the secretary",
    )
