"""/report end to end through the fake Bot API: each kind, files and contacts, what anonymous
means, the hourly limit, clean texts and attachments, a restart in the middle, stale and
forged buttons, and the secretariat told of what was filed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.cases.filing import Draft, submit_report
from kernel.clock import utcnow
from storage.models import Case, CaseAttachment, CaseReporter, Role
from tests.bot.handlers.cases.helpers import forged_button_is_stale
from tests.factories import TZ, person
from tests.fakes import FakeBotApi
from tests.harness import BotHarness

FIRM = 6001
MONITOR = 6002
SECRETARY = 6003
INSPECTOR = 6004
OTHER_FIRM = 6005
OTHER_INSPECTOR = 6006
SECRETARIES = (7302, 7303, 7304)

IDENTITY_NOTE = (
    "Petitioner's identity (seen only by the secretariat (research and evaluation)"
    " and the system administrators)"
)
"""How the case card names who filed; the privacy notice and the filing step say the same."""


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


async def test_a_description_as_long_as_a_message_still_gets_its_summary_and_is_filed_whole(
    bot: BotHarness,
) -> None:
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:product", language_code="en", replies=2)
    await bot.say(FIRM, "S" * 600, language_code="en")
    await bot.say(FIRM, "W" * 600, language_code="en")
    description = "充電時外殼過熱變形。" * 400  # 4,000 characters
    await bot.say(FIRM, description, language_code="en")
    await bot.say(FIRM, "/skip", language_code="en")
    summary = await bot.say(FIRM, "🙈 Stay anonymous", language_code="en", replies=2)
    assert "Please check your report" in summary and "…" in summary
    filed = await bot.press(FIRM, "rep:submit", language_code="en")
    assert "Received as case" in filed
    stored = bot.db.call(lambda session: session.exec(select(Case)).one())  # type: ignore[misc]
    assert stored.description == description


async def test_a_photo_where_words_are_expected_and_a_contact_where_files_are_get_a_clear_line(
    bot: BotHarness,
) -> None:
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:product", language_code="en", replies=2)
    before = len(bot.fake.sent(FIRM))
    bot.fake.send_photo(FIRM, "photo-too-early")
    assert "in words" in await bot.wait_reply(FIRM, before=before)
    assert "Where did you see it" in await bot.say(FIRM, "Heater HX-200", language_code="en")
    await bot.say(FIRM, "Zhubei mall", language_code="en")
    await bot.say(FIRM, "It smells of burning plastic.", language_code="en")
    before = len(bot.fake.sent(FIRM))
    bot.fake.send_contact(FIRM, "+886912000111", "Chen")
    assert "send a photo or document" in await bot.wait_reply(FIRM, before=before)


async def test_submit_pressed_again_or_after_cancel_says_the_button_is_stale(
    bot: BotHarness,
) -> None:
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:service", language_code="en", replies=2)
    await bot.say(FIRM, "Long wait at the counter", language_code="en")
    await bot.say(FIRM, "/skip", language_code="en")
    await bot.say(FIRM, "Waited ninety minutes on Monday.", language_code="en")
    await bot.say(FIRM, "/skip", language_code="en")
    await bot.say(FIRM, "🙈 Stay anonymous", language_code="en", replies=2)
    assert "Received as case" in await bot.press(FIRM, "rep:submit", language_code="en")
    again = await bot.press(FIRM, "rep:submit", language_code="en")
    assert "earlier step or an earlier report" in again
    stored = bot.db.call(lambda session: session.exec(select(Case)).all())  # type: ignore[misc]
    assert len(stored) == 1


async def test_a_monitor_whose_role_ends_while_filing_may_choose_another_kind(
    bot: BotHarness,
) -> None:
    from storage.models import RoleGrant
    from storage.queries.people import revoke_grant
    from tests.factories import person

    person(bot.db, FIRM, Role.MONITOR)
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:monitor", language_code="en", replies=2)
    await bot.say(FIRM, "Helmet RideSafe R1", language_code="en")
    await bot.say(FIRM, "Night market, Zhongli", language_code="en")
    await bot.say(FIRM, "No inspection mark on the helmet.", language_code="en")
    await send_photo_as(bot, "helmet-photo")
    await bot.press(FIRM, "rep:done", language_code="en")
    await bot.say(FIRM, "🙈 Stay anonymous", language_code="en", replies=2)
    grant = bot.db.call(lambda session: session.exec(select(RoleGrant)).one())  # type: ignore[misc]
    bot.db.call(revoke_grant, grant_id=grant.id, revoked_by_id=None)
    refused = await bot.press(FIRM, "rep:submit", language_code="en")
    assert "only for the branch's appointed product monitors" in refused
    kinds = [data for _, data in bot.fake.buttons(bot.fake.sent(FIRM)[-1])]
    assert "rep:kind:product" in kinds and "rep:kind:monitor" not in kinds
    await bot.press(FIRM, "rep:kind:product", language_code="en", replies=2)
    await bot.say(FIRM, "Helmet RideSafe R1", language_code="en")
    await bot.say(FIRM, "Night market, Zhongli", language_code="en")
    await bot.say(FIRM, "No inspection mark on the helmet.", language_code="en")
    assert "File 2 received" in await send_photo_as(bot, "box-photo")
    await bot.press(FIRM, "rep:done", language_code="en")
    await bot.say(FIRM, "🙈 Stay anonymous", language_code="en", replies=2)
    assert "Received as case <b>P" in await bot.press(FIRM, "rep:submit", language_code="en")


async def send_photo_as(bot: BotHarness, file_id: str) -> str:
    before = len(bot.fake.sent(FIRM))
    bot.fake.send_photo(FIRM, file_id)
    return await bot.wait_reply(FIRM, before=before)


async def test_a_report_submitted_in_chat_tells_the_secretariat_after_the_reply(
    bot: BotHarness,
) -> None:
    from tests.factories import person

    person(bot.db, 7202, Role.SECRETARIAT)
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:service", language_code="en", replies=2)
    await bot.say(FIRM, "Long wait at the counter", language_code="en")
    await bot.say(FIRM, "/skip", language_code="en")
    await bot.say(FIRM, "Waited ninety minutes on Monday.", language_code="en")
    await bot.say(FIRM, "/skip", language_code="en")
    await bot.say(FIRM, "🙈 Stay anonymous", language_code="en", replies=2)
    assert "Received as case <b>S" in await bot.press(FIRM, "rep:submit", language_code="en")
    await bot.fake.async_wait_for("sendMessage", chat_id=7202)
    assert "Long wait at the counter" in bot.fake.last_text(7202)


def stored_cases(bot: BotHarness) -> list[Case]:
    return bot.db.call(
        lambda session: list(session.exec(select(Case).order_by(Case.id)).all())  # type: ignore[arg-type]
    )


async def up_to_files(bot: BotHarness, subject: str, description: str) -> None:
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:product", language_code="en", replies=2)
    await bot.say(FIRM, subject, language_code="en")
    await bot.say(FIRM, "Night market stall, Zhongli", language_code="en")
    await bot.say(FIRM, description, language_code="en")


async def test_the_filing_step_says_what_anonymous_means_in_both_languages(
    bot: BotHarness,
) -> None:
    for language, said in (
        (
            "en",
            "no member of staff, the secretariat (research and evaluation) and the system"
            " administrators included, sees your name, phone or Telegram account",
        ),
        (
            "zh-hant",
            "任何同仁（包括秘書室（研考）及系統管理員）都看不到您的姓名、電話或 Telegram 帳號",
        ),
    ):
        await up_to_files(bot, "Heater WarmUp HX-200", "The plug melted while heating.")
        await bot.say(FIRM, "/skip", language_code=language)
        anonymous = "🙈 Stay anonymous" if language == "en" else "🙈 匿名提出"
        await bot.say(FIRM, anonymous, language_code=language, replies=2)
        texts = [m.get("text") or "" for m in bot.fake.sent(FIRM)[-2:]]
        assert any(said in text for text in texts), texts
        await bot.say(FIRM, "/cancel", language_code=language)


def file_directly(bot: BotHarness, reporter_roles: frozenset[Role], count: int) -> None:
    reporter = person(bot.db, FIRM)
    for n in range(count):
        bot.db.call(
            submit_report,
            draft=Draft(
                kind="product",
                subject=f"Charger {n}",
                location="Zhongli",
                description="The plug melted while charging a phone.",
            ),
            person_id=reporter.id,
            roles=reporter_roles,
            language="en",
            received_at=utcnow() - timedelta(minutes=50 - n),
            tz=TZ,
            reply_days=30,
            counting="working",
            limit_per_hour=5,
        )


async def test_a_sixth_report_within_the_hour_is_refused_politely_with_the_time_to_come_back(
    bot: BotHarness,
) -> None:
    for secretary in SECRETARIES:
        person(bot.db, secretary, Role.SECRETARIAT)
    before = utcnow()
    file_directly(bot, frozenset(), 5)
    refused = await bot.say(FIRM, "/report", language_code="en")
    # the first was filed 50 minutes before a moment between `before` and now: the hour it
    # opened ends 10 minutes after that moment (a minute may turn while the test runs)
    again = {
        (at + timedelta(minutes=10)).astimezone(TZ).strftime("%H:%M") for at in (before, utcnow())
    }
    assert "(5 in the last hour)" in refused
    assert any(f"from {hhmm}" in refused for hhmm in again), (again, refused)
    assert len(stored_cases(bot)) == 5
    # the five filed cases are announced through the outbox (their filing wrote the news); the
    # refused sixth is not
    await bot.outbox_sent()
    for secretary in SECRETARIES:
        announced = sorted(m["text"] for m in bot.fake.sent(secretary))
        assert len(announced) == 5, announced
        assert [
            c.number for c in stored_cases(bot) if not any(c.number in t for t in announced)
        ] == []


async def test_a_report_started_before_the_limit_was_reached_is_refused_at_submit(
    bot: BotHarness,
) -> None:
    await up_to_files(bot, "Heater WarmUp HX-200", "The plug melted while heating.")
    await bot.say(FIRM, "/skip", language_code="en")
    await bot.say(FIRM, "🙈 Stay anonymous", language_code="en", replies=2)
    file_directly(bot, frozenset(), 5)
    refused = await bot.press(FIRM, "rep:submit", language_code="en")
    assert "(5 in the last hour)" in refused
    assert len(stored_cases(bot)) == 5


async def test_an_invisible_subject_or_description_is_asked_again(bot: BotHarness) -> None:
    await bot.say(FIRM, "/report", language_code="en")
    await bot.press(FIRM, "rep:kind:product", language_code="en", replies=2)
    assert "write a subject" in await bot.say(FIRM, "\u200b" * 12, language_code="en")
    assert "Where did you see it" in await bot.say(FIRM, "Heater HX-200", language_code="en")
    await bot.say(FIRM, "Night market stall", language_code="en")
    short = await bot.say(FIRM, "\u200b\u200c\ufeff\u2060" * 5 + "hot", language_code="en")
    assert "too short" in short


async def test_attachments_are_limited_by_their_declared_type_and_executables_refused(
    bot: BotHarness,
) -> None:
    await up_to_files(bot, "Heater WarmUp HX-200", "The plug melted while heating.")
    for name, mime in (
        ("invoice.pdf.exe", "application/pdf"),
        ("setup.exe", "application/x-msdownload"),
        ("photo.jpg", "application/x-sh"),
        ("notes.txt", "text/plain"),
    ):
        before = len(bot.fake.sent(FIRM))
        bot.fake.send_document(FIRM, name, mime_type=mime, language_code="en")
        refused = await bot.wait_reply(FIRM, before=before)
        assert "was not kept" in refused and "PDF" in refused and "Word" in refused, name
    for name, mime in (
        ("invoice.pdf", "application/pdf"),
        ("label.JPG", "image/jpeg"),
        (
            "test.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ):
        before = len(bot.fake.sent(FIRM))
        bot.fake.send_document(FIRM, name, mime_type=mime, language_code="en")
        assert "received" in await bot.wait_reply(FIRM, before=before), name
    await bot.say(FIRM, "/skip", language_code="en")
    await bot.say(FIRM, "🙈 Stay anonymous", language_code="en", replies=2)
    await bot.press(FIRM, "rep:submit", language_code="en")
    names = bot.db.call(
        lambda session: [a.file_name for a in session.exec(select(CaseAttachment)).all()]  # type: ignore[misc]
    )
    assert names == ["invoice.pdf", "label.JPG", "test.docx"]


async def test_nul_and_control_characters_are_removed_before_the_report_is_stored(
    bot: BotHarness,
) -> None:
    await up_to_files(bot, "Heater\x00 HX-200\x07", "The plug\x00 melted\x1b while heating.\n2nd")
    await bot.say(FIRM, "/skip", language_code="en")
    await bot.say(FIRM, "✍️ Type name and phone", language_code="en")
    await bot.say(FIRM, "Lin\x00 Mei-hua 0933111222", language_code="en", replies=2)
    assert "Received as case" in await bot.press(FIRM, "rep:submit", language_code="en")
    [case] = stored_cases(bot)
    assert case.subject == "Heater HX-200"
    assert case.description == "The plug melted while heating.\n2nd"
    reporter = bot.db.call(
        lambda session: session.exec(select(CaseReporter)).one()  # type: ignore[misc]
    )
    assert reporter.contact_name == "Lin Mei-hua"


@pytest.mark.parametrize(
    "data", ["rep:kind:toaster", "rep:info:²", "rep:status:²", "rep:whatever"]
)
async def test_a_forged_button_gets_the_stale_answer_and_no_traceback(
    bot: BotHarness, caplog: pytest.LogCaptureFixture, data: str
) -> None:
    await forged_button_is_stale(bot, caplog, data)


ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")
ROC_DATE = re.compile(r"\b11\d/\d\d/\d\d\b")


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
