"""Issue 13 on the reporter's side: what anonymous means is said at the filing step, filing is
limited per person and hour, and what is filed is clean (no invisible subjects, no control
characters, only the attachment types a report needs)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.cases.filing import Draft, submit_report
from kernel.clock import utcnow
from storage.models import Case, CaseAttachment, CaseReporter, Role
from tests.factories import TZ, person
from tests.harness import BotHarness

FIRM = 7301
SECRETARIES = (7302, 7303, 7304)


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
    file_directly(bot, frozenset(), 5)
    refused = await bot.say(FIRM, "/report", language_code="en")
    first = utcnow() - timedelta(minutes=50)
    again = (first + timedelta(hours=1)).astimezone(TZ).strftime("%H:%M")
    assert "(5 in the last hour)" in refused and f"from {again}" in refused
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
